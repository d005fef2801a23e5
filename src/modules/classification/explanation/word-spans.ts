/** A word of a text: `text.slice(start, end)`, offsets in UTF-16 code units as JavaScript indexes. */
export interface WordSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

// Maximal runs of non-whitespace, punctuation included: what a reader calls a word, whatever
// the model's tokenizer makes of it, so every model's explanation has the same words.
const WORD = /\S+/g;
const SPACE = /\s/;

/** The whitespace-separated words of `text`, in order. */
export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const match of text.matchAll(WORD)) {
    spans.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** How many words {@link wordSpans} finds, without building them (the rate limit's cost). */
export function countWords(text: string): number {
  // Counted from whitespace-to-word boundaries: the cost runs before validation, on any text up
  // to the body limit, so no match objects are made.
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = SPACE.test(text[i]);
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** `text` with the word's characters deleted; the whitespace around it stays. */
export function withoutWord(text: string, span: WordSpan): string {
  return text.slice(0, span.start) + text.slice(span.end);
}
