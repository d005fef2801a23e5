import { Controller, Delete, HttpCode, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../../common/guards/admin-key.guard';
import { ApiQueryFrom } from '../../common/validation/documented-schema';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { InferenceService } from '../inference';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../docs/security-schemes';
import { ApiErrorResponses } from '../docs/api-error-responses.decorator';
import {
  invalidateCacheQuerySchema,
  InvalidateCacheResponseDto,
  type InvalidateCacheQuery,
  type InvalidateCacheResponse,
} from './dto/invalidate-cache.dto';
import { CacheInvalidationBus } from './cache-invalidation.bus';
import { PredictionCache } from './prediction-cache.service';

@ApiTags('admin')
@ApiSecurity(API_KEY_SCHEME)
@ApiBearerAuth(BEARER_SCHEME)
@Controller('cache')
export class CacheController {
  constructor(
    private readonly cache: PredictionCache,
    private readonly inference: InferenceService,
    private readonly replicas: CacheInvalidationBus,
  ) {}

  /**
   * Drops cached predictions of a served model, or of one of its versions (a past version's
   * entries included), from both tiers. An unknown model is a 404, as on `/classify`: a typo
   * must not read as a successful invalidation of nothing.
   */
  @Delete()
  @HttpCode(200)
  @UseGuards(AdminKeyGuard)
  @ApiOperation({
    summary: 'Drop cached predictions of a model, or of one of its versions',
    description: 'Needs ADMIN_API_KEY, sent as `X-Api-Key` or `Authorization: Bearer`.',
  })
  @ApiOkResponse({ description: 'Entries dropped per tier', type: InvalidateCacheResponseDto })
  @ApiErrorResponses(400, 401, 404, 503)
  @ApiQueryFrom(invalidateCacheQuerySchema)
  async invalidate(
    @Query(new ZodValidationPipe(invalidateCacheQuerySchema)) query: InvalidateCacheQuery,
  ): Promise<InvalidateCacheResponse> {
    this.inference.resolveModel(query.model);
    // With Redis unreachable this is a 503 (CacheTierUnavailableError), never a false success.
    const deleted = await this.cache.invalidate(query.model, query.version);
    // Redis first, then the other replicas' memory: a replica missing an entry in memory
    // afterwards finds Redis already cleared.
    await this.replicas.broadcast(query.model, query.version);
    return { deleted };
  }
}
