import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { computeModelVersion, findGraphFile } from '../model/model-files';
import type { ModelLifecycle } from './model-lifecycle';
import type { ModelPolicy } from './model-policy';
import { slotKey, type ModelEntry } from './model-registry';
import { folderFingerprint, type VersionFolder } from './version-folders';

/**
 * MODEL_POLL_SECONDS: re-reads the repository and loads versions that are new or whose
 * content hash changed, and unloads versions that left it. A folder loads only once its
 * files look the same on two scans in a row, so a copy in progress is never read half-written.
 */
export class RepositoryPoller {
  private readonly logger = new Logger('ModelRepository');
  /** Each version folder's fingerprint at the previous scan. */
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;

  constructor(private readonly lifecycle: ModelLifecycle) {}

  start(seconds: number): void {
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.scanning = this.scan().finally(schedule);
      }, seconds * 1000);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** One pass over every model that is not unloaded on request. */
  async scan(): Promise<void> {
    for (const entry of this.lifecycle.registry.entries()) {
      if (entry.retired) continue;
      let plan: { policy: ModelPolicy; wanted: VersionFolder[] };
      try {
        plan = this.lifecycle.plan(entry);
      } catch (error) {
        this.logger.warn(`Poll of model "${entry.name}": ${(error as Error).message}`);
        continue;
      }
      await this.scanModel(entry, plan.policy, plan.wanted);
    }
  }

  private async scanModel(
    entry: ModelEntry,
    policy: ModelPolicy,
    wanted: readonly VersionFolder[],
  ): Promise<void> {
    let settled = true;
    for (const folder of wanted) {
      const fingerprint = folderFingerprint(folder.dir);
      const stable = this.seen.get(folder.dir) === fingerprint;
      this.seen.set(folder.dir, fingerprint);
      const slot = entry.slots.get(slotKey(folder.number));
      if (slot?.loadedFingerprint === fingerprint) continue;
      if (slot?.failedFingerprint === fingerprint || !stable) {
        settled = false;
        continue;
      }
      if (
        slot?.serving !== undefined &&
        (await this.sameContent(folder, slot.serving.version, entry))
      ) {
        slot.loadedFingerprint = fingerprint;
        continue;
      }
      const target = this.lifecycle.registry.slot(entry, folder.number, folder.dir);
      const outcome = await this.lifecycle.loadSlot(entry, target, policy);
      if (!outcome.loaded) settled = false;
    }
    // Versions that left the repository (or the policy) go only once what replaces them serves.
    if (!settled) return;
    const keep = new Set(wanted.map((folder) => slotKey(folder.number)));
    for (const [key, slot] of entry.slots) {
      if (!keep.has(key) && slot.serving !== undefined)
        await this.lifecycle.unloadVersion(entry, slot);
    }
  }

  private async sameContent(
    folder: VersionFolder,
    hash: string,
    entry: ModelEntry,
  ): Promise<boolean> {
    const { dtype, graph: chosen, origin } = entry.source;
    // A Hub model names its graph and commit: hash as the load did, or every poll reloads it.
    const graph =
      chosen === undefined ? findGraphFile(folder.dir, dtype) : join(folder.dir, chosen);
    if (graph === undefined) return false;
    try {
      return (await computeModelVersion(folder.dir, graph, origin?.commit)) === hash;
    } catch {
      // A file vanished while hashing: the next scan sees the folder settle or go.
      return true;
    }
  }
}
