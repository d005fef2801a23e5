import { Module } from '@nestjs/common';
import { HubModels } from './hub-models';

/** Serving Hugging Face Hub models by id: fetching them into the shared cache, pinned. */
@Module({
  providers: [HubModels],
  exports: [HubModels],
})
export class HubModule {}
