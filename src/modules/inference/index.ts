export * from './inference.errors';
export * from './inference.types';
export { InferenceModule } from './inference.module';
export { InferenceService } from './inference.service';
export { batchKey, isTextPair } from './text-input';
export { encodeInline } from './runtime/tokenizer-protocol';
export { MODEL_NAME_PATTERN, MODEL_NAME_SOURCE } from './model/model-name';
export { argmax, rankLabels, type RankedLabel } from './postprocess';
export { MODEL_PLACEMENTS } from './model/loaded-model';
export type {
  LoadedModel,
  ModelInfo,
  ModelPlacement,
  VersionInfo,
  VersionState,
} from './model/loaded-model';
export type { ModelOrigin } from './model/model-origin';
export type { RepositoryIndexEntry } from './repository/model-registry';
export type { VersionLoadOutcome } from './repository/model-lifecycle';
