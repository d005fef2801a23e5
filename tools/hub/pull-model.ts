import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig, HubModelRef, ModelDtype } from '../../src/config';
import { hubCacheDir, HubSnapshots, type HubSnapshot } from '../../src/modules/hub';
import { ORIGIN_FILE } from '../../src/modules/inference/model/model-origin';

export interface PullRequest {
  readonly ref: HubModelRef;
  readonly dtype: ModelDtype;
}

export interface PullResult {
  readonly dir: string;
  readonly snapshot: HubSnapshot;
}

/**
 * Fetches a Hub model through the cache (the same checked download as MODEL_ID) and writes it
 * as a plain folder under MODELS_DIR, with its origin in source.json, for images built ahead and
 * hosts without network. The folder is written under a hidden name and renamed into place, so a
 * server polling MODELS_DIR never reads half of it.
 */
export async function pullModel(config: AppConfig, request: PullRequest): Promise<PullResult> {
  const snapshot = await new HubSnapshots({
    endpoint: config.HF_ENDPOINT,
    token: config.HF_TOKEN,
    cacheDir: hubCacheDir(config),
    offline: config.HF_HUB_OFFLINE,
    metadataTimeoutS: config.HF_HUB_ETAG_TIMEOUT,
    downloadTimeoutS: config.HF_HUB_DOWNLOAD_TIMEOUT,
  }).pull(request.ref, request.dtype);
  const modelsDir = resolve(config.MODELS_DIR);
  const target = join(modelsDir, request.ref.name);
  const suffix = randomBytes(4).toString('hex');
  const partial = join(modelsDir, `.${request.ref.name}.pulling-${suffix}`);
  try {
    for (const file of snapshot.files) {
      mkdirSync(dirname(join(partial, file)), { recursive: true });
      // copyFile follows the snapshot's links: the folder holds the bytes, not links into a cache.
      copyFileSync(join(snapshot.dir, file), join(partial, file));
    }
    const origin = { repo: snapshot.repo, revision: snapshot.revision, commit: snapshot.commit };
    writeFileSync(join(partial, ORIGIN_FILE), `${JSON.stringify(origin, null, 2)}\n`);
    const previous = join(modelsDir, `.${request.ref.name}.replaced-${suffix}`);
    if (existsSync(target)) renameSync(target, previous);
    renameSync(partial, target);
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return { dir: target, snapshot };
}
