import { Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection.service';

/** The application's one Redis connection; modules that use Redis import this one. */
@Module({
  providers: [RedisConnection],
  exports: [RedisConnection],
})
export class RedisModule {}
