export * from './inference.errors';
export * from './inference.types';
export { InferenceModule } from './inference.module';
export { InferenceService } from './inference.service';
export type { LoadedModel, ModelInfo } from './model/loaded-model';
