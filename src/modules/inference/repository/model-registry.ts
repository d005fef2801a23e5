import { ModelNotFoundError, ModelVersionNotFoundError } from '../inference.errors';
import type { LoadedModel, VersionInfo, VersionState } from '../model/loaded-model';
import type { ModelSource } from '../model/model-discovery';

/** What the registry knows of one version folder. */
export interface VersionSlot {
  readonly number: number | undefined;
  readonly dir: string;
  state: VersionState;
  reason: string;
  /** The model answering requests for this version; kept through a reload until replaced. */
  serving: LoadedModel | undefined;
  /** Files as they were when `serving` (or the last failed load) was read: see folderFingerprint. */
  loadedFingerprint: string | undefined;
  failedFingerprint: string | undefined;
  /** Settles when the last queued load or unload does, so two never overlap on one version. */
  busy: Promise<void>;
}

/** One model of the repository and its versions. */
export interface ModelEntry {
  readonly name: string;
  readonly source: ModelSource;
  /** By version folder number; a flat model folder has the one key `flat`. */
  readonly slots: Map<string, VersionSlot>;
  /**
   * Not expected to serve, so readiness does not wait for it: unloaded on request, or named in
   * a load request that has not succeeded yet.
   */
  retired: boolean;
}

/** One row of Triton's repository index. */
export interface RepositoryIndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly content_hash?: string;
  readonly state: VersionState;
  readonly reason: string;
}

export function slotKey(number: number | undefined): string {
  return number === undefined ? 'flat' : String(number);
}

function versionOf(slot: VersionSlot): string {
  return slot.number !== undefined ? String(slot.number) : (slot.serving?.version ?? 'flat');
}

/**
 * What is loaded, in which state, and which version `latest` means: the highest-numbered
 * version that is READY. It holds no loading logic (see ModelLifecycle), so requests read it
 * synchronously while versions come and go.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelEntry>();

  /** `expected`: readiness waits for it (configured at start-up) rather than ignoring it. */
  register(source: ModelSource, expected = true): ModelEntry {
    let entry = this.models.get(source.name);
    if (entry === undefined) {
      entry = { name: source.name, source, slots: new Map(), retired: !expected };
      this.models.set(source.name, entry);
    }
    return entry;
  }

  entry(name: string): ModelEntry | undefined {
    return this.models.get(name);
  }

  entries(): ModelEntry[] {
    return [...this.models.values()];
  }

  names(): string[] {
    return [...this.models.keys()];
  }

  slot(entry: ModelEntry, number: number | undefined, dir: string): VersionSlot {
    const key = slotKey(number);
    let slot = entry.slots.get(key);
    if (slot === undefined) {
      slot = {
        number,
        dir,
        state: 'UNAVAILABLE',
        reason: 'not loaded',
        serving: undefined,
        loadedFingerprint: undefined,
        failedFingerprint: undefined,
        busy: Promise.resolve(),
      };
      entry.slots.set(key, slot);
    }
    return slot;
  }

  /** Versions answering requests, oldest number first. */
  serving(name: string): LoadedModel[] {
    const entry = this.models.get(name);
    if (entry === undefined) return [];
    return [...entry.slots.values()]
      .filter((slot) => slot.state === 'READY' && slot.serving !== undefined)
      .sort((a, b) => (a.number ?? -1) - (b.number ?? -1))
      .map((slot) => slot.serving as LoadedModel);
  }

  /** Every model answering requests now, all versions. */
  allServing(): LoadedModel[] {
    return this.names().flatMap((name) => this.serving(name));
  }

  latest(name: string): LoadedModel | undefined {
    return this.serving(name).at(-1);
  }

  /**
   * The version a request names: `latest` (or none), a folder number, or a content hash;
   * only READY versions answer.
   */
  resolve(name: string, version?: string): LoadedModel {
    const served = this.serving(name);
    const latest = served.at(-1);
    if (latest === undefined) throw new ModelNotFoundError(name, this.servingNames());
    if (version === undefined || version === 'latest') return latest;
    const match =
      served.find(
        (model) => model.versionNumber !== undefined && String(model.versionNumber) === version,
      ) ?? served.find((model) => model.version === version);
    if (match === undefined) {
      throw new ModelVersionNotFoundError(name, version, servedVersions(served));
    }
    return match;
  }

  /** Models with at least one READY version. */
  servingNames(): string[] {
    return this.names().filter((name) => this.serving(name).length > 0);
  }

  versions(name: string): VersionInfo[] {
    const entry = this.models.get(name);
    if (entry === undefined) return [];
    return [...entry.slots.values()]
      .sort((a, b) => (a.number ?? -1) - (b.number ?? -1))
      .map((slot) => ({
        version: versionOf(slot),
        ...(slot.serving === undefined ? {} : { content_hash: slot.serving.version }),
        state: slot.state,
        reason: slot.reason,
      }));
  }

  /** Triton's repository index: one row per version, or one per model that has none. */
  index(): RepositoryIndexEntry[] {
    return this.entries().flatMap((entry): RepositoryIndexEntry[] => {
      const versions = this.versions(entry.name);
      if (versions.length === 0) {
        return [{ name: entry.name, state: 'UNAVAILABLE', reason: 'no versions loaded' }];
      }
      return versions.map((version) => ({ name: entry.name, ...version }));
    });
  }
}

function servedVersions(served: readonly LoadedModel[]): string {
  return served
    .map((model) =>
      model.versionNumber === undefined
        ? model.version
        : `${model.versionNumber} (${model.version})`,
    )
    .join('", "');
}
