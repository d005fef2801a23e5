import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { prometheusContentType } from 'prom-client';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint. Not rate limited: limits apply only to `@RateLimited()` routes,
 * so a busy replica still reports why it is busy.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', prometheusContentType)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus exposition' })
  @ApiProduces(prometheusContentType)
  @ApiOkResponse({
    description: 'Prometheus text format',
    schema: { type: 'string', example: 'nlp_requests_total{endpoint="/classify",status="200"} 3' },
  })
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
