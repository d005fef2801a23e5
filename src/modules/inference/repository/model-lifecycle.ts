import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../../config';
import { ModelLoadError, ModelNotFoundError, ModelVersionNotFoundError } from '../inference.errors';
import type { InferenceObserver } from '../inference.types';
import type { LoadedModel } from '../model/loaded-model';
import { discoverModels, type ModelSource } from '../model/model-discovery';
import { MODEL_NAME_PATTERN } from '../model/model-name';
import { readModelPolicy, selectVersions, type ModelPolicy } from './model-policy';
import { ModelRegistry, slotKey, type ModelEntry, type VersionSlot } from './model-registry';
import { folderFingerprint, listVersionFolders, type VersionFolder } from './version-folders';
import { versionLabel, VersionLoader, type TextRunnerFactory } from './version-loader';

/**
 * After a replaced or unloaded version's queue is empty, how long its sessions stay open for
 * requests that resolved it but had not queued yet (they are between the model lookup and the
 * batcher, awaiting a cache tier bounded by CACHE_TIMEOUT_MS). Memory comes back a second
 * later; no request finds its version gone.
 */
const RETIRE_GRACE_MS = 1000;

/** What one version's load came to. */
export interface VersionLoadOutcome {
  readonly version: string;
  readonly loaded: boolean;
  readonly reason?: string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Called after a version's sessions are released (the cache drops its memory-tier entries). */
export type VersionUnloadedListener = (model: string, version: string) => void;

/**
 * Loads, reloads and unloads model versions at run time with no failed request: a new version
 * takes traffic only once warmed, a replaced one finishes its queue before its sessions go,
 * and a failed load leaves what serves untouched (its reason goes to the index and the log).
 */
export class ModelLifecycle {
  readonly registry = new ModelRegistry();
  private readonly logger = new Logger('ModelRepository');
  private readonly loader: VersionLoader;
  private readonly retiring = new Set<LoadedModel>();
  private readonly released = new WeakSet<LoadedModel>();
  private readonly unloadListeners: VersionUnloadedListener[] = [];
  private stopped = false;
  /** Cuts retire graces short at shutdown, when every session is released at once anyway. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly config: AppConfig,
    private readonly observer: InferenceObserver | undefined,
    private readonly textRunners?: TextRunnerFactory,
  ) {
    this.loader = new VersionLoader(config, observer, textRunners);
  }

  onVersionUnloaded(listener: VersionUnloadedListener): void {
    this.unloadListeners.push(listener);
  }

  /**
   * Start-up: every configured model, each failure fatal (a bad deploy must not go live).
   * `fetched`: the models MODEL_ID fetched from the Hub, served beside MODELS_DIR's.
   */
  async loadConfigured(fetched: readonly ModelSource[] = []): Promise<void> {
    const sources = discoverModels(
      this.config.MODELS_DIR,
      this.config.MODELS,
      this.config.MODEL_DTYPE,
      fetched.map((source) => source.name),
    );
    for (const source of [...sources, ...fetched]) {
      if (this.stopped) return;
      const entry = this.registry.register(source);
      const outcomes = await this.loadEntry(entry, undefined);
      const failed = outcomes.find((outcome) => !outcome.loaded);
      if (failed !== undefined) throw new Error(failed.reason);
    }
  }

  /**
   * The version to run for a request that resolved `model`: itself, unless its sessions were
   * released while the request awaited the cache (it outlived the retire grace); then the same
   * files serving elsewhere answer instead, or none is left to.
   */
  stillServed(model: LoadedModel): LoadedModel {
    if (!this.released.has(model)) return model;
    const twin = this.registry.serving(model.name).find((other) => other.version === model.version);
    if (twin === undefined) {
      throw new ModelVersionNotFoundError(model.name, versionLabel(model), 'latest');
    }
    return twin;
  }

  /**
   * Loads (or reloads from disk) a model's versions: those named, else those its sift.json
   * policy selects. Versions no longer selected unload once every selected one serves.
   */
  async load(name: string, versions?: readonly number[]): Promise<VersionLoadOutcome[]> {
    // A model first loaded now is not expected to serve (by readiness) until a version does.
    const entry = this.registry.entry(name) ?? this.registry.register(this.findSource(name), false);
    return this.loadEntry(entry, versions);
  }

  /** Unloads every version of a model, each after its queued requests finish. */
  async unload(name: string): Promise<void> {
    const entry = this.registry.entry(name);
    if (entry === undefined) throw new ModelNotFoundError(name, this.registry.names());
    entry.retired = true;
    await Promise.all([...entry.slots.values()].map((slot) => this.unloadVersion(entry, slot)));
  }

  /** Releases everything at shutdown, draining versions included. */
  async releaseAll(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    const models = [...this.registry.allServing(), ...this.retiring];
    await Promise.all(models.map((model) => this.release(model)));
  }

  /** Reads the model's sift.json and version folders: what a load or a poll works from. */
  plan(
    entry: ModelEntry,
    requested?: readonly number[],
  ): { policy: ModelPolicy; wanted: VersionFolder[] } {
    const policy = readModelPolicy(entry.source.dir);
    const folders = listVersionFolders(entry.source.dir);
    if (folders.length === 0) {
      throw new ModelLoadError(entry.source.dir, '.', 'no model files and no version folders');
    }
    if (folders[0].number === undefined) return { policy, wanted: folders };
    const numbers = folders.map((folder) => folder.number as number);
    const missing = (requested ?? []).filter((number) => !numbers.includes(number));
    if (missing.length > 0) {
      throw new ModelLoadError(entry.source.dir, String(missing[0]), 'version folder is missing');
    }
    const chosen = requested ?? selectVersions(policy.versionPolicy, numbers);
    return { policy, wanted: folders.filter((folder) => chosen.includes(folder.number as number)) };
  }

  /**
   * Loads each wanted version in turn; versions serving but no longer wanted unload only when
   * every wanted one loaded, so a broken new version never takes the serving one away.
   */
  async loadEntry(entry: ModelEntry, requested?: readonly number[]): Promise<VersionLoadOutcome[]> {
    let plan: { policy: ModelPolicy; wanted: VersionFolder[] };
    try {
      plan = this.plan(entry, requested);
    } catch (error) {
      this.observer?.modelLoadEvent(entry.name, 'failure');
      this.logger.error(`Cannot load model "${entry.name}": ${message(error)}`);
      return [{ version: '(all)', loaded: false, reason: message(error) }];
    }
    const outcomes: VersionLoadOutcome[] = [];
    for (const folder of plan.wanted) {
      const slot = this.registry.slot(entry, folder.number, folder.dir);
      outcomes.push(await this.loadSlot(entry, slot, plan.policy));
    }
    // Expected to serve (by readiness) again only once it does: a failed load after an unload
    // must not take the replica out of its load balancer.
    if (this.registry.serving(entry.name).length > 0) entry.retired = false;
    if (requested === undefined && outcomes.every((outcome) => outcome.loaded)) {
      const keep = new Set(plan.wanted.map((folder) => slotKey(folder.number)));
      const stale = [...entry.slots.entries()].filter(([key]) => !keep.has(key));
      await Promise.all(stale.map(([, slot]) => this.unloadVersion(entry, slot)));
    }
    return outcomes;
  }

  /** Loads one version folder into its slot, one operation per slot at a time. */
  loadSlot(entry: ModelEntry, slot: VersionSlot, policy: ModelPolicy): Promise<VersionLoadOutcome> {
    return this.exclusive(slot, async () => {
      const fingerprint = folderFingerprint(slot.dir);
      const previous = slot.serving;
      const version = slot.number === undefined ? 'flat' : String(slot.number);
      if (previous === undefined) {
        slot.state = 'LOADING';
        slot.reason = 'loading';
      } else {
        slot.reason = 'reloading';
      }
      let loaded: LoadedModel;
      try {
        loaded = await this.loader.load({
          name: entry.name,
          dir: slot.dir,
          versionNumber: slot.number,
          dtype: entry.source.dtype,
          policy,
          graph: entry.source.graph,
          origin: entry.source.origin,
        });
      } catch (error) {
        slot.failedFingerprint = fingerprint;
        slot.state = previous === undefined ? 'UNAVAILABLE' : 'READY';
        slot.reason = previous === undefined ? message(error) : `reload failed: ${message(error)}`;
        this.observer?.modelLoadEvent(entry.name, 'failure');
        this.logger.error(`Model "${entry.name}" version ${version}: ${message(error)}`);
        return { version, loaded: false, reason: message(error) };
      }
      slot.serving = loaded;
      slot.state = 'READY';
      slot.reason = '';
      slot.loadedFingerprint = fingerprint;
      slot.failedFingerprint = undefined;
      this.observer?.modelLoadEvent(entry.name, 'success');
      if (previous !== undefined) void this.retire(previous);
      return { version: versionLabel(loaded), loaded: true };
    });
  }

  /** Unloads one version after its queued and running requests finish. */
  unloadVersion(entry: ModelEntry, slot: VersionSlot): Promise<void> {
    return this.exclusive(slot, async () => {
      const model = slot.serving;
      slot.loadedFingerprint = undefined;
      slot.failedFingerprint = undefined;
      if (model === undefined) {
        entry.slots.delete(slotKey(slot.number));
        return;
      }
      slot.state = 'UNLOADING';
      slot.reason = 'draining';
      await this.retire(model);
      slot.serving = undefined;
      slot.state = 'UNAVAILABLE';
      slot.reason = 'unloaded';
      this.observer?.modelLoadEvent(entry.name, 'unloaded');
    });
  }

  /**
   * Takes a version out of service: its queued and running requests finish on it, then its
   * sessions and workers are released.
   */
  private async retire(model: LoadedModel): Promise<void> {
    this.retiring.add(model);
    try {
      await model.batcher.whenIdle();
      await sleep(RETIRE_GRACE_MS, undefined, { ref: false, signal: this.stopping.signal }).catch(
        () => undefined,
      );
      await model.batcher.whenIdle();
      await this.release(model);
    } finally {
      this.retiring.delete(model);
    }
    if (this.stopped) return;
    const stillServed = this.registry
      .serving(model.name)
      .some((other) => other.version === model.version);
    if (!stillServed) {
      for (const listener of this.unloadListeners) listener(model.name, model.version);
    }
    this.logger.log(`Unloaded model "${model.name}" version ${versionLabel(model)}`);
  }

  private async release(model: LoadedModel): Promise<void> {
    if (this.released.has(model)) return;
    this.released.add(model);
    this.textRunners?.forget(model);
    await model.runner.release();
  }

  /** Runs `work` after every operation already queued on the slot. */
  private exclusive<T>(slot: VersionSlot, work: () => Promise<T>): Promise<T> {
    const running = slot.busy.then(work);
    slot.busy = running.then(
      () => undefined,
      () => undefined,
    );
    return running;
  }

  /** A model folder not served yet, named in a load request. */
  private findSource(name: string): ModelSource {
    if (!MODEL_NAME_PATTERN.test(name)) throw new ModelNotFoundError(name, this.registry.names());
    const dtype = this.config.MODEL_DTYPE ?? { default: 'fp32' as const, byModel: {} };
    const folder = name.split('@')[0];
    const byModel = folder in dtype.byModel ? { [folder]: dtype.byModel[folder] } : {};
    try {
      return discoverModels(this.config.MODELS_DIR, [name], { ...dtype, byModel })[0];
    } catch (error) {
      if (error instanceof ModelLoadError) {
        throw new ModelNotFoundError(name, this.registry.names());
      }
      throw error;
    }
  }
}
