import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { ModelDtype } from '../../../config';

/** The graph file of each dtype, as optimum and transformers.js name them. */
const GRAPH_FILE_NAMES: Readonly<Record<ModelDtype, string>> = {
  fp32: 'model.onnx',
  q8: 'model_quantized.onnx',
};

/** Where a dtype's graph may sit in a model folder, in the order we look. */
export function graphCandidates(dtype: ModelDtype): string[] {
  const file = GRAPH_FILE_NAMES[dtype];
  return [file, join('onnx', file)];
}

/** The graph file serving `dtype` in a model folder, or undefined when there is none. */
export function findGraphFile(modelDir: string, dtype: ModelDtype = 'fp32'): string | undefined {
  return graphCandidates(dtype)
    .map((file) => join(modelDir, file))
    .find((path) => existsSync(path));
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // A Hub cache snapshot links every file to its blob: links count as what they point to.
    const stats = entry.isSymbolicLink() ? statSync(path) : entry;
    if (stats.isDirectory()) files.push(...listFiles(path));
    else if (stats.isFile()) files.push(path);
  }
  return files;
}

/**
 * A short content hash over every file that can change the predictions of the graph served
 * (`graphPath`). Docs (README.md) are left out so editing a model card does not invalidate
 * caches, and so are the folder's other graphs (`model_quantized.onnx` beside `model.onnx`):
 * each variant gets its own version, unchanged when the other is written. Files are streamed:
 * a graph of hundreds of MB is neither held in memory nor read in one blocking call while
 * `/ready` and `/health` should keep answering. `commit`, the Hub commit the files were
 * fetched at, is part of the identity: the same bytes at another commit are another version.
 */
export async function computeModelVersion(
  modelDir: string,
  graphPath: string,
  commit?: string,
): Promise<string> {
  const hash = createHash('sha256');
  if (commit !== undefined) hash.update(`commit:${commit}\0`);
  const files = listFiles(modelDir)
    .filter((path) => !path.toLowerCase().endsWith('.md'))
    .filter((path) => path === graphPath || !path.toLowerCase().endsWith('.onnx'))
    .sort();
  for (const path of files) {
    hash.update(relative(modelDir, path));
    hash.update('\0');
    hash.update(String((await stat(path)).size));
    hash.update('\0');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 12);
}
