import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { ConfigModule, type AppConfig } from './config';
import { PredictionCacheModule } from './modules/cache/prediction-cache.module';
import { ClassificationModule } from './modules/classification/classification.module';
import { HealthModule } from './modules/health/health.module';
import { InferenceModule } from './modules/inference';
import { MetricsModule } from './modules/metrics/metrics.module';
import { ProtocolsModule } from './modules/protocols/protocols.module';
import { RateLimitModule } from './modules/rate-limit';
import { RedisModule } from './modules/redis/redis.module';
import { RepositoryModule } from './modules/repository/repository.module';
import { TracingModule } from './modules/tracing/tracing.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        PredictionCacheModule,
        MetricsModule,
        InferenceModule,
        ClassificationModule,
        ProtocolsModule,
        HealthModule,
        RepositoryModule,
        RateLimitModule.forRoot(config),
        TracingModule,
      ],
      // Bodies are validated by each route's zod schema (common/validation), not a global pipe.
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
