import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelLoadError } from '../inference.errors';

/** Where a model's files came from on the Hugging Face Hub: what `GET /models` reports as `source`. */
export interface ModelOrigin {
  readonly repo: string;
  readonly revision: string;
  /** The commit the revision named when the files were fetched. */
  readonly commit: string;
}

/** The file `npm run models:pull` writes into a model folder to record its origin. */
export const ORIGIN_FILE = 'source.json';

const originSchema = z.object({
  repo: z.string().min(1),
  revision: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-character commit id'),
});

/** The folder's recorded origin, or undefined for a folder that records none. */
export function readModelOrigin(dir: string): ModelOrigin | undefined {
  let raw: string;
  try {
    raw = readFileSync(join(dir, ORIGIN_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelLoadError(dir, ORIGIN_FILE, String(error));
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ModelLoadError(dir, ORIGIN_FILE, `invalid JSON (${(error as Error).message})`);
  }
  const parsed = originSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelLoadError(
      dir,
      ORIGIN_FILE,
      `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
