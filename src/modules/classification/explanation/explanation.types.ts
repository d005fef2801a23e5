/** One word's share in the answer: see {@link Explanation}. */
export interface WordWeight {
  readonly text: string;
  /** UTF-16 offsets: `text.slice(start, end)` of the classified text is the word. */
  readonly start: number;
  readonly end: number;
  /** p(label | text) − p(label | text without this word): positive pushed toward the label. */
  readonly weight: number;
}

/** Why a text got its label, by occlusion: each word deleted in turn, the text classified again. */
export interface Explanation {
  /** The label explained: the answer's label (a multi-label model's top label). */
  readonly label: string;
  readonly method: 'occlusion';
  readonly words: readonly WordWeight[];
}
