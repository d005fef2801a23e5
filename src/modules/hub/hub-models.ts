import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type AppConfig, type ModelDtype } from '../../config';
import { hubCacheDir } from './hub-cache';
import { HubSnapshots, type HubSnapshot } from './hub-snapshots';

/** Where a served model came from on the Hub, as `GET /models` reports it. */
export interface HubSource {
  readonly repo: string;
  readonly revision: string;
  readonly commit: string;
}

/** A MODEL_ID entry made servable: its name, the cached folder, and the graph in it. */
export interface HubModelFolder {
  readonly name: string;
  readonly dir: string;
  /** The graph served, relative to `dir`. */
  readonly graph: string;
  readonly dtype: ModelDtype;
  readonly source: HubSource;
}

/** Turns MODEL_ID into model folders in the Hub cache, one after another, at start-up. */
@Injectable()
export class HubModels {
  private readonly logger = new Logger('Hub');

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  async fetchConfigured(): Promise<HubModelFolder[]> {
    if (this.config.MODEL_ID.length === 0) return [];
    const snapshots = new HubSnapshots({
      endpoint: this.config.HF_ENDPOINT,
      token: this.config.HF_TOKEN,
      cacheDir: hubCacheDir(this.config),
      offline: this.config.HF_HUB_OFFLINE,
      metadataTimeoutS: this.config.HF_HUB_ETAG_TIMEOUT,
      downloadTimeoutS: this.config.HF_HUB_DOWNLOAD_TIMEOUT,
    });
    const dtypes = this.config.MODEL_DTYPE;
    const folders: HubModelFolder[] = [];
    for (const ref of this.config.MODEL_ID) {
      const dtype = dtypes?.byModel[ref.name] ?? dtypes?.default ?? 'fp32';
      const snapshot = await snapshots.pull(ref, dtype);
      this.report(ref.name, dtype, snapshot);
      folders.push({
        name: ref.name,
        dir: snapshot.dir,
        graph: snapshot.graph,
        dtype: snapshot.dtype,
        source: { repo: snapshot.repo, revision: snapshot.revision, commit: snapshot.commit },
      });
    }
    return folders;
  }

  private report(name: string, asked: ModelDtype, snapshot: HubSnapshot): void {
    const what = `"${name}" is ${snapshot.repo}@${snapshot.revision} at commit ${snapshot.commit} (${snapshot.graph})`;
    if (snapshot.offline === undefined) this.logger.log(`Model ${what}, from the Hub`);
    else if (this.config.HF_HUB_OFFLINE)
      this.logger.log(`Model ${what}, from the cache (HF_HUB_OFFLINE)`);
    else
      this.logger.warn(
        `Model ${what}, from the cache: ${snapshot.offline}; it may not be the revision's latest commit`,
      );
    if (asked !== snapshot.dtype) {
      this.logger.warn(
        `Model "${name}": ${snapshot.repo} has no quantized graph; serving ${snapshot.graph} (${snapshot.dtype})`,
      );
    }
  }
}
