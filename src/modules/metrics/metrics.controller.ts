import { Controller, Get, Header, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { prometheusContentType } from 'prom-client';
import { MetricsService } from './metrics.service';
import { negotiateExposition, OPENMETRICS_CONTENT_TYPE } from './openmetrics';

/**
 * Prometheus scrape endpoint. Not rate limited: limits apply only to `@RateLimited()` routes,
 * so a busy replica still reports why it is busy. The classic text format unless the scraper
 * asks for OpenMetrics (`Accept: application/openmetrics-text`), which adds trace exemplars.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Header('Vary', 'Accept')
  @ApiOperation({ summary: 'Prometheus exposition' })
  @ApiProduces(prometheusContentType, OPENMETRICS_CONTENT_TYPE)
  @ApiOkResponse({
    description:
      'Prometheus text format; OpenMetrics 1.0 with trace-id exemplars when the Accept header asks for application/openmetrics-text',
    schema: { type: 'string', example: 'nlp_requests_total{endpoint="/classify",status="200"} 3' },
  })
  scrape(
    @Headers('accept') accept: string | undefined,
    // passthrough: the return value is still the body; only the content type varies.
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const format = negotiateExposition(accept);
    void reply.header(
      'content-type',
      format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : prometheusContentType,
    );
    return this.metrics.exposition(format);
  }
}
