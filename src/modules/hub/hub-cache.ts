import { getRepoFolderName } from '@huggingface/hub';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { AppConfig } from '../../config';
import type { HubFile } from './hub-files';

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The cache folder, resolved as huggingface_hub resolves it (HF_HUB_CACHE, else $HF_HOME/hub,
 * else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub, each with a leading `~`
 * expanded), so Python and transformers.js find what Sift fetched.
 */
export function hubCacheDir(
  config: Pick<AppConfig, 'HF_HOME' | 'HF_HUB_CACHE' | 'XDG_CACHE_HOME'>,
): string {
  if (config.HF_HUB_CACHE !== undefined) return expandHome(config.HF_HUB_CACHE);
  if (config.HF_HOME !== undefined) return join(expandHome(config.HF_HOME), 'hub');
  const cache =
    config.XDG_CACHE_HOME === undefined
      ? join(homedir(), '.cache')
      : expandHome(config.XDG_CACHE_HOME);
  return join(cache, 'huggingface', 'hub');
}

/**
 * `~` and `~/…` as Python's os.path.expanduser reads them: a value from a .env file or a
 * Kubernetes manifest reaches Sift without a shell to expand it.
 */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** What a file's bytes hash to: git's blob id (sha1 over a header) and the plain sha256. */
interface Digests {
  readonly size: number;
  readonly sha1: string;
  readonly sha256: string;
}

/** Hashes bytes as they pass, both ways the Hub names files. */
class Hasher {
  private readonly sha1: ReturnType<typeof createHash>;
  private readonly sha256 = createHash('sha256');
  private seen = 0;

  constructor(expectedSize: number) {
    // Git hashes a header with the size first; a wrong size then shows as a size mismatch.
    this.sha1 = createHash('sha1').update(`blob ${expectedSize}\0`);
  }

  update(chunk: Buffer): void {
    this.seen += chunk.length;
    this.sha1.update(chunk);
    this.sha256.update(chunk);
  }

  /** A pass-through stream that hashes what flows through it. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.update(chunk);
        done(null, chunk);
      },
    });
  }

  digests(): Digests {
    return { size: this.seen, sha1: this.sha1.digest('hex'), sha256: this.sha256.digest('hex') };
  }
}

/** Why the bytes are not the Hub's file, or undefined when they are. */
function mismatch(file: HubFile, digests: Digests): string | undefined {
  if (digests.size !== file.size) return `${digests.size} bytes where the Hub lists ${file.size}`;
  if (file.sha256 !== undefined && digests.sha256 !== file.sha256) {
    return `sha256 ${digests.sha256} where the Hub lists ${file.sha256}`;
  }
  if (file.sha256 === undefined && digests.sha1 !== file.oid) {
    return `git blob id ${digests.sha1} where the Hub lists ${file.oid}`;
  }
  return undefined;
}

/** A download whose bytes are not the Hub's file; nothing of it is left in the cache. */
export class CorruptDownloadError extends Error {}

/**
 * One repository's part of the Hub cache: `blobs/<sha256 or git id>`, `snapshots/<commit>/<path>`
 * linking to them, `refs/<revision>` holding a commit. A blob only ever appears under its
 * final name once its bytes are checked, so an interrupted or corrupt download leaves at most a
 * `.incomplete` file, which the next run ignores and overwrites.
 */
export class HubRepoCache {
  readonly dir: string;

  constructor(
    cacheDir: string,
    readonly repo: string,
  ) {
    this.dir = join(cacheDir, getRepoFolderName({ name: repo, type: 'model' }));
  }

  snapshotDir(commit: string): string {
    return join(this.dir, 'snapshots', commit);
  }

  private blobPath(file: HubFile): string {
    return join(this.dir, 'blobs', file.sha256 ?? file.oid);
  }

  /** The commit a revision was last seen at, or undefined when the cache never fetched it. */
  async commitOf(revision: string): Promise<string | undefined> {
    if (COMMIT.test(revision)) return revision;
    try {
      const commit = (await readFile(join(this.dir, 'refs', revision), 'utf8')).trim();
      return COMMIT.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  async recordRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const path = join(this.dir, 'refs', revision);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString('hex')}.incomplete`;
    await writeFile(temporary, commit);
    await rename(temporary, path);
  }

  /** True when the file is cached with the Hub's bytes and linked into the commit's snapshot. */
  async hasChecked(commit: string, file: HubFile): Promise<boolean> {
    const blob = this.blobPath(file);
    try {
      if ((await stat(blob)).size !== file.size) return false;
    } catch {
      return false;
    }
    const hasher = new Hasher(file.size);
    for await (const chunk of createReadStream(blob)) hasher.update(chunk as Buffer);
    if (mismatch(file, hasher.digests()) !== undefined) {
      // Bytes that changed on disk are never served; the caller downloads them again.
      await rm(blob, { force: true });
      return false;
    }
    await this.link(commit, file);
    return true;
  }

  /** Writes a download to a temporary name, checks it against the Hub's listing, then renames it. */
  async store(commit: string, file: HubFile, body: ReadableStream<Uint8Array>): Promise<void> {
    const blob = this.blobPath(file);
    await mkdir(dirname(blob), { recursive: true });
    const temporary = `${blob}.${randomBytes(4).toString('hex')}.incomplete`;
    const hasher = new Hasher(file.size);
    try {
      await pipeline(
        Readable.fromWeb(body as WebReadableStream<Uint8Array>),
        hasher.stream(),
        createWriteStream(temporary),
      );
      const problem = mismatch(file, hasher.digests());
      if (problem !== undefined) {
        throw new CorruptDownloadError(`${this.repo}: ${file.path} was refused: ${problem}`);
      }
      await rename(temporary, blob);
    } finally {
      await rm(temporary, { force: true });
    }
    await this.link(commit, file);
  }

  /** A relative link, as huggingface_hub makes it, so a moved cache keeps working. */
  private async link(commit: string, file: HubFile): Promise<void> {
    const path = join(this.snapshotDir(commit), file.path);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true });
    await symlink(relative(dirname(path), this.blobPath(file)), path);
  }

  /**
   * The files of a cached snapshot, described by their blobs (whose names are their hashes), so
   * they can be checked offline as online; undefined when the snapshot is absent. A link to a
   * missing blob is listed with size -1: an incomplete snapshot.
   */
  async cachedFiles(commit: string): Promise<HubFile[] | undefined> {
    const root = this.snapshotDir(commit);
    const files: HubFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(path);
          continue;
        }
        const blobName = entry.isSymbolicLink() ? basename(await readlink(path)) : '';
        const size = await stat(path).then(
          (stats) => stats.size,
          () => -1,
        );
        files.push({
          path: relative(root, path).split('\\').join('/'),
          size,
          oid: blobName.length === 40 ? blobName : '',
          sha256: blobName.length === 64 ? blobName : undefined,
        });
      }
    };
    try {
      await lstat(root);
    } catch {
      return undefined;
    }
    await walk(root);
    return files;
  }
}
