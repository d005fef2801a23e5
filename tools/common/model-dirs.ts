import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from this file's place in tools/common/. */
export const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The models that ship in the repository and that `npm start` serves. */
export const SHIPPED_MODELS_DIR = join(ROOT_DIR, 'models');

/**
 * Where generated test and benchmark models go: outside MODELS_DIR, so that `npm start` after
 * `npm test` or `npm run bench` serves exactly the shipped models, and inside node_modules,
 * which every tool already treats as disposable.
 */
export const GENERATED_MODELS_DIR = join(ROOT_DIR, 'node_modules', '.cache', 'sift', 'models');

/**
 * A MODELS_DIR for tests and benchmarks: links to every shipped and every generated model, so
 * one server can load `spam-en` and `bert-bench` side by side.
 */
export const COMBINED_MODELS_DIR = join(ROOT_DIR, 'node_modules', '.cache', 'sift', 'all-models');

/** (Re)links every shipped and generated model folder into COMBINED_MODELS_DIR. */
export function linkCombinedModels(): string {
  rmSync(COMBINED_MODELS_DIR, { recursive: true, force: true });
  mkdirSync(COMBINED_MODELS_DIR, { recursive: true });
  // Generated first: a stale generated copy left in ./models by an older checkout loses.
  for (const source of [GENERATED_MODELS_DIR, SHIPPED_MODELS_DIR]) {
    if (!existsSync(source)) continue;
    for (const name of readdirSync(source)) {
      const target = join(source, name);
      const link = join(COMBINED_MODELS_DIR, name);
      if (name.startsWith('.') || !lstatSync(target).isDirectory() || existsSync(link)) continue;
      // Relative links keep working when the checkout moves.
      symlinkSync(relative(COMBINED_MODELS_DIR, target), link, 'dir');
    }
  }
  return COMBINED_MODELS_DIR;
}
