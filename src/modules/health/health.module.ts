import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PredictionCacheModule } from '../cache/prediction-cache.module';
import { InferenceModule } from '../inference';
import { RedisModule } from '../redis/redis.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MemoryIndicator } from './memory.indicator';
import { ModelsIndicator } from './models.indicator';
import { RedisIndicator } from './redis.indicator';

@Module({
  // Terminus would log every failed readiness check at error level; probes fail by design
  // while models load, and the request log line already records them.
  imports: [
    TerminusModule.forRoot({ logger: false }),
    InferenceModule,
    PredictionCacheModule,
    RedisModule,
  ],
  controllers: [HealthController],
  providers: [HealthService, MemoryIndicator, RedisIndicator, ModelsIndicator],
})
export class HealthModule {}
