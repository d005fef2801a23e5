import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { PredictionCacheModule } from '../cache/prediction-cache.module';
import { PredictionCache } from '../cache/prediction-cache.service';
import { InferenceModule, InferenceService } from '../inference';
import { RepositoryController } from './repository.controller';

/**
 * Run-time model management (Triton's repository extension), and the one consequence of an
 * unload outside inference: the version's cached predictions go, so memory is not held for
 * answers nothing will ask for.
 */
@Module({
  imports: [InferenceModule, PredictionCacheModule],
  controllers: [RepositoryController],
})
export class RepositoryModule implements OnModuleInit {
  private readonly logger = new Logger('ModelRepository');

  constructor(
    private readonly inference: InferenceService,
    private readonly cache: PredictionCache,
  ) {}

  onModuleInit(): void {
    this.inference.onVersionUnloaded((model, version) => {
      this.cache.invalidate(model, version).catch((error: unknown) => {
        // Entries are keyed by version: what stays behind is never served, only held.
        this.logger.warn(
          `Cached predictions of "${model}" version ${version} not dropped: ${(error as Error).message}`,
        );
      });
    });
  }
}
