import type { HubModelRef, ModelDtype } from '../../config';
import { HubRepoCache } from './hub-cache';
import { HubClient, refLabel, type HubConnection } from './hub-client';
import { chooseServingFiles, type HubFile } from './hub-files';
import { HubModelError, HubUnreachableError } from './hub.errors';

/** A model folder in the Hub cache, ready to load, and what it was taken from. */
export interface HubSnapshot {
  readonly repo: string;
  readonly revision: string;
  readonly commit: string;
  /** `snapshots/<commit>` in the cache: the files served, linked to their checked blobs. */
  readonly dir: string;
  /** The graph served, relative to `dir`. */
  readonly graph: string;
  /** Every file serving reads, relative to `dir` (the snapshot may hold others fetched before). */
  readonly files: readonly string[];
  /** The dtype served: q8 asked of a repository without a quantized graph serves fp32. */
  readonly dtype: ModelDtype;
  /** Why the cache served it without asking the Hub; undefined when the Hub answered. */
  readonly offline?: string;
}

export interface HubSnapshotOptions extends HubConnection {
  readonly cacheDir: string;
  /** HF_HUB_OFFLINE: never ask the Hub. */
  readonly offline: boolean;
}

/**
 * Makes a Hub model servable: pins its revision to a commit, fetches only the files serving
 * needs into the shared cache (each checked against the Hub's size and hash), and falls back
 * to a complete cached copy when the Hub cannot be reached.
 */
export class HubSnapshots {
  private readonly client: HubClient;

  constructor(private readonly options: HubSnapshotOptions) {
    this.client = new HubClient(options);
  }

  async pull(ref: HubModelRef, dtype: ModelDtype): Promise<HubSnapshot> {
    if (this.options.offline) return this.fromCache(ref, dtype, 'HF_HUB_OFFLINE is set');
    try {
      return await this.fromHub(ref, dtype);
    } catch (error) {
      if (!(error instanceof HubUnreachableError)) throw error;
      return this.fromCache(ref, dtype, error.message);
    }
  }

  private async fromHub(ref: HubModelRef, dtype: ModelDtype): Promise<HubSnapshot> {
    const cache = new HubRepoCache(this.options.cacheDir, ref.repo);
    const commit = await this.client.resolveCommit(ref);
    const chosen = chooseServingFiles(ref.repo, await this.client.listFiles(ref, commit), dtype);
    for (const file of chosen.files) {
      if (await cache.hasChecked(commit, file)) continue;
      await cache.store(commit, file, await this.client.download(ref, commit, file.path));
    }
    await cache.recordRef(ref.revision, commit);
    return {
      ...ref,
      commit,
      dir: cache.snapshotDir(commit),
      graph: chosen.graph,
      files: chosen.files.map((file) => file.path),
      dtype: chosen.dtype,
    };
  }

  /**
   * The cached snapshot of the revision, when it holds a config and a graph and every file
   * links to a blob whose bytes match its name (blobs are named by their hash).
   */
  private async fromCache(ref: HubModelRef, dtype: ModelDtype, why: string): Promise<HubSnapshot> {
    const cache = new HubRepoCache(this.options.cacheDir, ref.repo);
    const missing = `${refLabel(ref)}: ${why}, and the cache at ${this.options.cacheDir} has no complete copy of it`;
    const commit = await cache.commitOf(ref.revision);
    const files = commit === undefined ? undefined : await cache.cachedFiles(commit);
    if (commit === undefined || files === undefined) {
      throw new HubModelError(
        `${missing}; start once with the Hub reachable to fetch it, or serve a folder written by npm run models:pull from MODELS_DIR`,
      );
    }
    let chosen: ReturnType<typeof chooseServingFiles>;
    try {
      chosen = chooseServingFiles(ref.repo, files, dtype);
    } catch {
      throw new HubModelError(`${missing} (no ONNX graph cached at ${commit})`);
    }
    const broken = await this.firstBroken(cache, commit, chosen.files);
    if (broken !== undefined || !chosen.files.some((file) => file.path === 'config.json')) {
      throw new HubModelError(`${missing} (${broken ?? 'config.json'} is missing or damaged)`);
    }
    return {
      ...ref,
      commit,
      dir: cache.snapshotDir(commit),
      graph: chosen.graph,
      files: chosen.files.map((file) => file.path),
      dtype: chosen.dtype,
      offline: why,
    };
  }

  private async firstBroken(
    cache: HubRepoCache,
    commit: string,
    files: readonly HubFile[],
  ): Promise<string | undefined> {
    for (const file of files) {
      if (file.size < 0) return file.path;
      // A file copied rather than linked (a filesystem without links) has no hash to check.
      const named = file.sha256 !== undefined || file.oid !== '';
      if (named && !(await cache.hasChecked(commit, file))) return file.path;
    }
    return undefined;
  }
}
