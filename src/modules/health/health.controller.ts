import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { LivenessReportDto, ReadinessReportDto } from './dto/health-response.dto';
import { HealthService, type LivenessReport } from './health.service';

/**
 * Kubernetes probes. Never cached (HealthCheck sets no-store) and never rate limited: limits
 * apply only to `@RateLimited()` routes.
 */
@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: 200 whenever the process answers; `status` says healthy or warning. */
  @Get('health')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness probe' })
  @ApiOkResponse({ description: 'The process answers', type: LivenessReportDto })
  check(): Promise<LivenessReport> {
    return this.health.liveness();
  }

  /** Readiness: 200 once every model is loaded and warmed, 503 before that and while draining. */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness probe' })
  @ApiOkResponse({ description: 'Every model is loaded and warmed', type: ReadinessReportDto })
  @ApiResponse({
    status: 503,
    description: 'Models still loading, or shutting down',
    type: ReadinessReportDto,
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.health.readiness();
    if (!ready) void reply.status(503);
    return result;
  }
}
