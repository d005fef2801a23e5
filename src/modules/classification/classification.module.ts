import { Module } from '@nestjs/common';
import { TextRules } from '../../common/validation/text-rules';
import { PredictionCacheModule } from '../cache/prediction-cache.module';
import { InferenceModule } from '../inference';
import { ClassificationPipeline } from './classification-pipeline.service';
import { ClassificationController } from './classification.controller';
import { ClassificationService } from './classification.service';
import { ExplanationService } from './explanation/explanation.service';
import { ModelsController } from './models.controller';
import { ClassifyStreamService } from './stream/classify-stream.service';

@Module({
  imports: [InferenceModule, PredictionCacheModule],
  controllers: [ClassificationController, ModelsController],
  providers: [
    ClassificationPipeline,
    ClassificationService,
    ExplanationService,
    ClassifyStreamService,
    TextRules,
  ],
  // The pipeline is every protocol's way in; TextRules also checks TEI's /tokenize texts.
  exports: [ClassificationPipeline, TextRules],
})
export class ClassificationModule {}
