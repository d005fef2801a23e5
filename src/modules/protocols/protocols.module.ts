import { Module } from '@nestjs/common';
import { ClassificationModule } from '../classification/classification.module';
import { InferenceModule } from '../inference';
import { RerankV1Controller } from './cohere-rerank/rerank-v1.controller';
import { HfInferenceController } from './hf-inference/hf-inference.controller';
import { KServeV2Controller } from './kserve-v2/kserve-v2.controller';
import { TeiController } from './tei/tei.controller';

/**
 * Foreign wire protocols (KServe V2, text-embeddings-inference, the Hugging Face Inference
 * API, Cohere's and Jina's rerank) over Sift's one classification path; each answers errors in
 * its own shape.
 */
@Module({
  imports: [InferenceModule, ClassificationModule],
  controllers: [KServeV2Controller, TeiController, HfInferenceController, RerankV1Controller],
})
export class ProtocolsModule {}
