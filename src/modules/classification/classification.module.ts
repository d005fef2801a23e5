import { Module } from '@nestjs/common';
import { InferenceModule } from '../inference';
import { ClassificationController } from './classification.controller';
import { ClassificationService } from './classification.service';
import { ModelsController } from './models.controller';

@Module({
  imports: [InferenceModule],
  controllers: [ClassificationController, ModelsController],
  providers: [ClassificationService],
  exports: [ClassificationService],
})
export class ClassificationModule {}
