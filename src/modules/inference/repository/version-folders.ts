import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findGraphFile } from '../model/model-files';

/** One version of a model on disk: a numbered folder, or the flat folder itself. */
export interface VersionFolder {
  /** The folder's number in Triton's layout; undefined for a flat model folder. */
  readonly number: number | undefined;
  readonly dir: string;
}

const VERSION_FOLDER = /^\d+$/;

/** A folder that holds a model export itself (today's flat layout, or one version folder). */
export function isModelFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) || findGraphFile(dir) !== undefined;
}

function isDirectory(path: string): boolean {
  try {
    // statSync follows links: a version folder may be a symbolic link to where it is kept.
    return statSync(path).isDirectory();
  } catch {
    // A link to nothing, or a folder removed while we read it, is not a version.
    return false;
  }
}

/**
 * The versions under a model's folder: itself when it is a flat export, else its numeric
 * sub-folders (Triton's layout), ascending. Empty when it is neither.
 */
export function listVersionFolders(root: string): VersionFolder[] {
  if (isModelFolder(root)) return [{ number: undefined, dir: root }];
  if (!isDirectory(root)) return [];
  return readdirSync(root)
    .filter((name) => VERSION_FOLDER.test(name) && isDirectory(join(root, name)))
    .map((name) => ({ number: Number(name), dir: join(root, name) }))
    .sort((a, b) => a.number - b.number);
}

/** True when `root` is a model folder in either layout. */
export function hasVersions(root: string): boolean {
  return listVersionFolders(root).length > 0;
}

/**
 * Names, sizes and modification times of every file under `dir`: cheap to take on each poll,
 * and equal across two polls only when nothing is being written into the folder.
 */
export function folderFingerprint(dir: string): string {
  const parts: string[] = [];
  const walk = (current: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      parts.push(`!${relative(dir, current)}`);
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      try {
        const stats = statSync(path);
        if (stats.isDirectory()) walk(path);
        else parts.push(`${relative(dir, path)}:${stats.size}:${stats.mtimeMs}`);
      } catch {
        parts.push(`!${relative(dir, path)}`);
      }
    }
  };
  walk(dir);
  return parts.join('\n');
}
