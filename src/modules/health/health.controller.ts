import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { HealthService, type LivenessReport } from './health.service';

/**
 * Kubernetes probes. Never cached (HealthCheck sets no-store) and never rate limited: limits
 * apply only to `@RateLimited()` routes.
 */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: 200 whenever the process answers; `status` says healthy or warning. */
  @Get('health')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  check(): Promise<LivenessReport> {
    return this.health.liveness();
  }

  /** Readiness: 200 once every model is loaded and warmed, 503 before that and while draining. */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const { ready, result } = await this.health.readiness();
    if (!ready) void reply.status(503);
    return result;
  }
}
