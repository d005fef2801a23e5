import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Tracer } from '@opentelemetry/api';
import type { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Counter } from 'prom-client';
import { InjectConfig, type AppConfig } from '../../config';
import { MetricsService } from '../metrics/metrics.service';
import { createTracingRuntime, tracesEndpoint, type TracingRuntime } from './tracing-provider';
import { TRACER_NAME } from './tracer';

/**
 * Owns the OpenTelemetry SDK of the app when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set: the
 * tracer provider and its export queue. With no endpoint it creates nothing and `tracer` stays
 * undefined, so no hook is registered and no span is made. No global state is set (no context
 * manager, no global provider): spans reach their steps as arguments (request-trace.ts).
 */
@Injectable()
export class TracingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TracingService.name);
  private readonly runtime: TracingRuntime | undefined;
  /** The app's tracer while tracing is on; undefined when off and after shutdown. */
  tracer: Tracer | undefined;

  constructor(@InjectConfig() config: AppConfig, metrics: MetricsService) {
    // Registered whether or not tracing is on, so dashboards and alerts find a 0, not nothing.
    const dropped = new Counter({
      name: 'nlp_trace_spans_dropped_total',
      help: 'Finished spans never delivered to the OTLP endpoint, by reason (queue_full, export_failed)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    dropped.inc({ reason: 'queue_full' }, 0);
    dropped.inc({ reason: 'export_failed' }, 0);
    const endpoint = tracesEndpoint(config);
    this.runtime =
      endpoint === undefined
        ? undefined
        : createTracingRuntime(config, endpoint, (reason, spans) => dropped.inc({ reason }, spans));
    // Created here, before init, because app.factory registers the request hooks then.
    this.tracer = this.runtime?.provider.getTracer(TRACER_NAME);
  }

  get propagator(): W3CTraceContextPropagator | undefined {
    return this.runtime?.propagator;
  }

  onModuleInit(): void {
    if (this.runtime === undefined) return;
    this.logger.log(`Exporting traces to ${this.runtime.endpoint}`);
  }

  /** Exports every finished span now (tests, and the last step of shutdown). */
  async forceFlush(): Promise<void> {
    await this.runtime?.provider.forceFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.runtime === undefined) return;
    this.tracer = undefined;
    try {
      await this.runtime.provider.shutdown();
    } catch (error) {
      // Spans lost at exit are counted by the processor; shutdown goes on.
      this.logger.warn(`Flushing traces at shutdown failed: ${(error as Error).message}`);
    }
  }
}
