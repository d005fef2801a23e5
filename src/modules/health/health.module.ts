import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InferenceModule } from '../inference';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MemoryIndicator } from './memory.indicator';
import { ModelsIndicator } from './models.indicator';
import { RedisIndicator } from './redis.indicator';
import { ServerDrain } from './server-drain';

@Module({
  // Terminus would log every failed readiness check at error level; probes fail by design
  // while models load, and the request log line already records them.
  imports: [TerminusModule.forRoot({ logger: false }), InferenceModule],
  controllers: [HealthController],
  providers: [HealthService, MemoryIndicator, RedisIndicator, ModelsIndicator, ServerDrain],
  exports: [ServerDrain],
})
export class HealthModule {}
