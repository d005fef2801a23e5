import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

export interface MemoryLimit {
  readonly bytes: number;
  /** `cgroup` when a container limit below the machine's memory applies. */
  readonly source: 'cgroup' | 'system';
}

/** cgroup v2 first, then v1; v1 reports "unlimited" as a huge number, caught by the min below. */
const CGROUP_LIMIT_FILES = [
  '/sys/fs/cgroup/memory.max',
  '/sys/fs/cgroup/memory/memory.limit_in_bytes',
];

export type ReadText = (path: string) => string | undefined;

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Outside a container (or on macOS) the file does not exist: fall back to system memory.
    return undefined;
  }
}

/**
 * The memory this process may use: its cgroup limit when one is set below the machine's
 * total (the container's `resources.limits.memory`), otherwise the machine's total memory.
 */
export function detectMemoryLimit(
  read: ReadText = readIfPresent,
  systemBytes = totalmem(),
): MemoryLimit {
  for (const file of CGROUP_LIMIT_FILES) {
    const text = read(file)?.trim();
    if (text === undefined || text === '' || text === 'max') continue;
    const bytes = Number(text);
    if (Number.isFinite(bytes) && bytes > 0 && bytes < systemBytes)
      return { bytes, source: 'cgroup' };
  }
  return { bytes: systemBytes, source: 'system' };
}
