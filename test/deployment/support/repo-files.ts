import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export function repoPath(...segments: string[]): string {
  return resolve(REPO_ROOT, ...segments);
}

export function repoFileExists(relativePath: string): boolean {
  return existsSync(repoPath(relativePath));
}

export function readRepoFile(relativePath: string): string {
  return readFileSync(repoPath(relativePath), 'utf8');
}

/** Every YAML document in a file, as plain data; a syntax error in any of them throws. */
export function readYamlDocuments(relativePath: string): unknown[] {
  const documents = parseAllDocuments(readRepoFile(relativePath));
  if (!Array.isArray(documents)) return [];
  return documents.map((document) => {
    if (document.errors.length > 0) {
      throw new Error(
        `${relativePath}: ${document.errors.map((error) => error.message).join('; ')}`,
      );
    }
    return document.toJS() as unknown;
  });
}

/** A file holding exactly one YAML document. */
export function readYaml(relativePath: string): unknown {
  const documents = readYamlDocuments(relativePath);
  if (documents.length !== 1) {
    throw new Error(`${relativePath}: expected one YAML document, found ${documents.length}`);
  }
  return documents[0];
}
