/** The parts of `nlp-corpus` (which ships no types) that the spam-en build reads. */
declare module 'nlp-corpus' {
  interface NlpCorpus {
    /** Every sentence of the corpus, in the package's fixed (pre-shuffled) order. */
    all(): string[];
  }
  const corpus: NlpCorpus;
  export default corpus;
}
