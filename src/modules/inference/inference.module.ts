import { Module } from '@nestjs/common';
import { HubModule } from '../hub';
import { InferenceService } from './inference.service';

@Module({
  imports: [HubModule],
  providers: [InferenceService],
  exports: [InferenceService],
})
export class InferenceModule {}
