/** Where a token came from in its text, in code points (as TEI's `/tokenize` reports). */
export interface TokenOffsets {
  readonly start: number | null;
  readonly stop: number | null;
}

/** A character as WordPiece vocabularies see it: lower case, accents stripped. */
function fold(char: string): string {
  return char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The end of `piece` if `folded` spells it from `start`, else undefined. */
function matchAt(folded: readonly string[], start: number, piece: string): number | undefined {
  let index = start;
  let rest = piece;
  while (rest.length > 0) {
    if (index >= folded.length) return undefined;
    const char = folded[index];
    if (char.length > 0 && !rest.startsWith(char)) return undefined;
    rest = rest.slice(char.length);
    index++;
  }
  return index;
}

/**
 * Offsets of each content token in `text`, found by spelling the tokens out left to right.
 * `@huggingface/tokenizers` reports no offsets, so they are recovered here: exact for
 * WordPiece vocabularies (continuation prefix stripped, case and accents folded); an unknown
 * token spans the rest of its word; a token that cannot be placed gets null offsets.
 */
export function alignTokens(
  text: string,
  tokens: readonly string[],
  options: { readonly subwordPrefix: string; readonly unknownToken?: string },
): TokenOffsets[] {
  const chars = Array.from(text);
  const folded = chars.map(fold);
  let cursor = 0;
  return tokens.map((token): TokenOffsets => {
    const continues = token.startsWith(options.subwordPrefix) && token !== options.subwordPrefix;
    const piece = continues ? token.slice(options.subwordPrefix.length) : token;
    let start = cursor;
    if (!continues) while (start < chars.length && /\s/u.test(chars[start])) start++;
    let stop: number | undefined;
    if (token === options.unknownToken) {
      stop = start;
      while (stop < chars.length && !/[\s\p{P}]/u.test(chars[stop])) stop++;
      if (stop === start) stop = undefined;
    } else {
      stop = matchAt(folded, start, piece);
    }
    if (stop === undefined) return { start: null, stop: null };
    cursor = stop;
    return { start, stop };
  });
}
