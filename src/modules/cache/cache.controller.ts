import {
  Controller,
  Delete,
  HttpCode,
  Query,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { AdminKeyGuard } from '../../common/guards/admin-key.guard';
import { InferenceService } from '../inference';
import { InvalidateCacheQueryDto, type InvalidateCacheResponse } from './dto/invalidate-cache.dto';
import { PredictionCache } from './prediction-cache.service';
import { CacheTierUnavailableError } from './tiers/tier-errors';

@Controller('cache')
export class CacheController {
  constructor(
    private readonly cache: PredictionCache,
    private readonly inference: InferenceService,
  ) {}

  /**
   * Drops cached predictions of a served model, or of one of its versions (a past version's
   * entries included), from both tiers. An unknown model is a 404, as on `/classify`: a typo
   * must not read as a successful invalidation of nothing.
   */
  @Delete()
  @HttpCode(200)
  @UseGuards(AdminKeyGuard)
  async invalidate(@Query() query: InvalidateCacheQueryDto): Promise<InvalidateCacheResponse> {
    this.inference.resolveModel(query.model);
    try {
      return { deleted: await this.cache.invalidate(query.model, query.version) };
    } catch (error) {
      // Claiming success with Redis unreachable would leave its entries to be served later.
      if (error instanceof CacheTierUnavailableError) {
        throw new ServiceUnavailableException(
          `${error.message}: the memory tier was cleared, Redis was not; retry when Redis is back`,
        );
      }
      throw error;
    }
  }
}
