import { Module } from '@nestjs/common';
import { PredictionCacheModule } from '../cache/prediction-cache.module';
import { InferenceModule } from '../inference';
import { ClassificationController } from './classification.controller';
import { ClassificationService } from './classification.service';
import { ModelsController } from './models.controller';

@Module({
  imports: [InferenceModule, PredictionCacheModule],
  controllers: [ClassificationController, ModelsController],
  providers: [ClassificationService],
  exports: [ClassificationService],
})
export class ClassificationModule {}
