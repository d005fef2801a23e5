import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
 * left out so editing a model card does not invalidate caches.
 */
export function computeModelVersion(modelDir: string): string {
  const hash = createHash('sha256');
  const files = listFiles(modelDir)
    .filter((path) => !path.toLowerCase().endsWith('.md'))
    .sort();
  for (const path of files) {
    hash.update(relative(modelDir, path));
    hash.update('\0');
    hash.update(String(statSync(path).size));
    hash.update('\0');
    hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 12);
}
