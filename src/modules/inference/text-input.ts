import type { TextInput } from './inference.types';

/**
 * The batcher's de-duplication key of an input: the text itself for a single text (no copy on
 * the common path), and a form no single text can take for a pair, so identical pairs share
 * a row while a pair never shares one with a text.
 */
export function batchKey(input: TextInput): string {
  if (typeof input === 'string') return input.startsWith('\u0000') ? `\u0000${input}` : input;
  return `\u0000${input.text.length}:${input.text}${input.pair}`;
}

export function isTextPair(input: TextInput): input is Exclude<TextInput, string> {
  return typeof input !== 'string';
}
