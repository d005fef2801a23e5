import type * as NativeTokenizers from '@anush008/tokenizers';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The binding's exports: the Rust `tokenizers` crate that Python `transformers` runs. */
export type TokenizersBinding = typeof NativeTokenizers;

/** The binding's npm name; its platform binary comes as an optional dependency. */
export const TOKENIZERS_PACKAGE = '@anush008/tokenizers';

let binding: TokenizersBinding | undefined;

/**
 * Loads the binding on first use, not at import: a platform whose binary is missing then
 * fails the load of a tokenizer.json model with a message saying so, and the rest of the app
 * (fastText models, health) still starts. The app build is CommonJS and has `require`; the
 * test suite runs these sources as ES modules, from the repository root, and has not.
 */
export function loadTokenizersBinding(name: string = TOKENIZERS_PACKAGE): TokenizersBinding {
  if (binding !== undefined && name === TOKENIZERS_PACKAGE) return binding;
  const load =
    typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  let loaded: TokenizersBinding;
  try {
    loaded = load(name) as TokenizersBinding;
  } catch (error) {
    throw new Error(
      `the native tokenizers binding (${name}) has no binary for ${process.platform}-${process.arch} ` +
        `here: ${(error as Error).message.split('\n')[0]}; reinstall with optional dependencies ` +
        `(npm ci --include=optional) on the platform that runs Sift`,
      { cause: error },
    );
  }
  if (name === TOKENIZERS_PACKAGE) binding = loaded;
  return loaded;
}
