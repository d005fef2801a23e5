export * from './inference.errors';
export * from './inference.types';
export { InferenceModule } from './inference.module';
export { InferenceService } from './inference.service';
export { batchKey, isTextPair } from './text-input';
export { MODEL_PLACEMENTS } from './model/loaded-model';
export type {
  LoadedModel,
  ModelInfo,
  ModelPlacement,
  VersionInfo,
  VersionState,
} from './model/loaded-model';
export type { RepositoryIndexEntry } from './repository/model-registry';
export type { VersionLoadOutcome } from './repository/model-lifecycle';
