import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelLoadError } from '../inference.errors';
import { findGraphFile } from './model-files';

/**
 * The model folders to serve: those named in MODELS, or every sub-folder of MODELS_DIR that
 * looks like a model (has config.json or a graph). Sorted so start-up order is stable.
 */
export function discoverModelDirs(modelsDir: string, only: readonly string[]): string[] {
  const root = resolve(modelsDir);
  if (!existsSync(root)) {
    throw new ModelLoadError(root, '.', 'MODELS_DIR does not exist');
  }
  if (only.length > 0) {
    return only.map((name) => {
      const dir = join(root, name);
      if (!existsSync(dir))
        throw new ModelLoadError(dir, '.', `folder for model "${name}" (from MODELS) is missing`);
      return dir;
    });
  }
  const dirs = readdirSync(root)
    .filter((name) => !name.startsWith('.'))
    .map((name) => join(root, name))
    // statSync follows links: a model folder may be a symbolic link to where it is kept.
    .filter((dir) => statSync(dir).isDirectory())
    .filter((dir) => existsSync(join(dir, 'config.json')) || findGraphFile(dir) !== undefined)
    .sort();
  if (dirs.length === 0) {
    throw new ModelLoadError(
      root,
      '.',
      'no model folders found (each needs config.json and model.onnx)',
    );
  }
  return dirs;
}
