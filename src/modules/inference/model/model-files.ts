import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Where Hugging Face / optimum exports put the graph, in the order we look. */
const GRAPH_CANDIDATES = ['model.onnx', join('onnx', 'model.onnx')];

export function findGraphFile(modelDir: string): string | undefined {
  return GRAPH_CANDIDATES.map((file) => join(modelDir, file)).find((path) => existsSync(path));
}

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * A short content hash over every file that can change predictions. Docs (README.md) are
 * left out so editing a model card does not invalidate caches. Files are streamed: a graph
 * of hundreds of MB is neither held in memory nor read in one blocking call while `/ready`
 * and `/health` should keep answering.
 */
export async function computeModelVersion(modelDir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = listFiles(modelDir)
    .filter((path) => !path.toLowerCase().endsWith('.md'))
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
