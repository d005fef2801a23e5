import { Module } from '@nestjs/common';
import { TracingService } from './tracing.service';

/** OpenTelemetry traces (see docs/observability.md, Traces); inert without an OTLP endpoint. */
@Module({
  providers: [TracingService],
  exports: [TracingService],
})
export class TracingModule {}
