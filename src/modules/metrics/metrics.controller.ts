import { Controller, Get, Header } from '@nestjs/common';
import { prometheusContentType } from 'prom-client';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint. Not rate limited: limits apply only to `@RateLimited()` routes,
 * so a busy replica still reports why it is busy.
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', prometheusContentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
