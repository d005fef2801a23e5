import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  isModelDtype,
  MODEL_DTYPES,
  type ModelDtype,
  type ModelDtypeSetting,
} from '../../../config';
import { ModelLoadError } from '../inference.errors';
import { hasVersions } from '../repository/version-folders';
import type { ModelOrigin } from './model-origin';

/** One model to serve: the name requests use, its folder, and which graph of it. */
export interface ModelSource {
  readonly name: string;
  /** MODELS_DIR/<folder>: a flat export, or numbered version folders beside sift.json. */
  readonly dir: string;
  readonly dtype: ModelDtype;
  /** The graph to serve, relative to `dir`; unset: the dtype's graph wherever it lies. */
  readonly graph?: string;
  /** Set for a model fetched from the Hub by MODEL_ID (its folder is in the Hub cache). */
  readonly origin?: ModelOrigin;
}

/**
 * The models to serve: those named in MODELS, or every sub-folder of MODELS_DIR that looks like
 * a model (has config.json or a graph, or numbered version folders that do), sorted so start-up
 * order is stable. A MODELS entry
 * `<folder>@<dtype>` serves that folder's variant under that name, so `bert-bench,bert-bench@q8`
 * serves both side by side; a plain name gets its dtype from MODEL_DTYPE. `hubNames`, the
 * names MODEL_ID serves, may leave MODELS_DIR absent or empty, and no folder may take one.
 */
export function discoverModels(
  modelsDir: string,
  only: readonly string[],
  dtypes: ModelDtypeSetting = { default: 'fp32', byModel: {} },
  hubNames: readonly string[] = [],
): ModelSource[] {
  const root = resolve(modelsDir);
  const hubOnly = hubNames.length > 0 && only.length === 0;
  let sources: FolderSource[];
  if (!existsSync(root)) {
    if (!hubOnly) throw new ModelLoadError(root, '.', 'MODELS_DIR does not exist');
    sources = [];
  } else if (only.length > 0) {
    sources = namedModels(root, only);
  } else {
    sources = foundModels(root, hubOnly);
  }
  const taken = sources.find((source) => hubNames.includes(source.name));
  if (taken !== undefined) {
    throw new ModelLoadError(
      taken.dir,
      '.',
      `MODEL_ID serves a model named "${taken.name}" too; give one of them another name (name=org/repo)`,
    );
  }
  const folders = new Set([...sources.map((source) => source.folder), ...hubNames]);
  const unknown = Object.keys(dtypes.byModel).filter((folder) => !folders.has(folder));
  if (unknown.length > 0) {
    throw new ModelLoadError(
      root,
      '.',
      `MODEL_DTYPE names models not served: ${unknown.join(', ')}`,
    );
  }
  return sources.map(({ name, dir, folder, dtype }) => ({
    name,
    dir,
    dtype: dtype ?? dtypes.byModel[folder] ?? dtypes.default,
  }));
}

interface FolderSource {
  readonly name: string;
  readonly dir: string;
  readonly folder: string;
  /** Set by an `@<dtype>` suffix in MODELS. */
  readonly dtype?: ModelDtype;
}

function namedModels(root: string, only: readonly string[]): FolderSource[] {
  return only.map((name) => {
    const [folder, dtype, extra] = name.split('@');
    if (extra !== undefined || (dtype !== undefined && !isModelDtype(dtype))) {
      throw new ModelLoadError(
        join(root, folder),
        '.',
        `MODELS entry "${name}" is not <folder> or <folder>@<dtype> with dtype ${MODEL_DTYPES.join(' or ')}`,
      );
    }
    const dir = join(root, folder);
    if (!existsSync(dir))
      throw new ModelLoadError(dir, '.', `folder for model "${name}" (from MODELS) is missing`);
    return { name, dir, folder, dtype };
  });
}

function foundModels(root: string, mayBeEmpty: boolean): FolderSource[] {
  const folders = readdirSync(root)
    // statSync follows links: a model folder may be a symbolic link to where it is kept.
    .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory())
    .filter((name) => hasVersions(join(root, name)))
    .sort();
  if (folders.length === 0 && !mayBeEmpty) {
    throw new ModelLoadError(
      root,
      '.',
      'no model folders found (each needs config.json and model.onnx)',
    );
  }
  return folders.map((folder) => ({ name: folder, dir: join(root, folder), folder }));
}
