export * from './inference.errors';
export * from './inference.types';
export { InferenceModule } from './inference.module';
export { InferenceService } from './inference.service';
export { batchKey, isTextPair } from './text-input';
export type { LoadedModel, ModelInfo } from './model/loaded-model';
