export { HubModule } from './hub.module';
export { HubModels, type HubModelFolder, type HubSource } from './hub-models';
export { HubSnapshots, type HubSnapshot } from './hub-snapshots';
export { hubCacheDir } from './hub-cache';
export { HubModelError } from './hub.errors';
