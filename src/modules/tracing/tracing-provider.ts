import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { AppConfig, TraceSamplerName } from '../../config';
import { BoundedSpanProcessor, type SpanDropReason } from './bounded-span-processor';

/** What tracing needs from the configuration: the OTEL_* variables and the batch size. */
export type TracingConfig = Pick<
  AppConfig,
  Extract<keyof AppConfig, `OTEL_${string}`> | 'MAX_BATCH_SIZE'
>;

/**
 * Where spans go, or undefined when tracing is off: no endpoint, or OTEL_SDK_DISABLED. The
 * signal-specific endpoint is used as given; the generic one gets `/v1/traces` over HTTP, as
 * the OTLP exporter specification says.
 */
export function tracesEndpoint(config: TracingConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED) return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) {
    return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  }
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (base === undefined) return undefined;
  if (config.OTEL_EXPORTER_OTLP_PROTOCOL === 'grpc') return base;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export function createSampler(name: TraceSamplerName, ratio = 1): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

function createExporter(config: TracingConfig, url: string): SpanExporter {
  const headers = config.OTEL_EXPORTER_OTLP_HEADERS;
  switch (config.OTEL_EXPORTER_OTLP_PROTOCOL) {
    case 'http/protobuf':
      return new ProtobufExporter({ url, headers });
    case 'http/json':
      return new JsonExporter({ url, headers });
    case 'grpc':
      // gRPC metadata takes @grpc/grpc-js's type; the exporter reads OTEL_EXPORTER_OTLP_HEADERS
      // from the environment itself, which is where the value came from.
      return new GrpcExporter({ url });
  }
}

/** The SDK objects of one running app; created only when tracing is on. */
export interface TracingRuntime {
  readonly provider: TracerProvider;
  readonly propagator: W3CTraceContextPropagator;
  readonly endpoint: string;
}

export function createTracingRuntime(
  config: TracingConfig,
  endpoint: string,
  onDrop: (reason: SpanDropReason, spans: number) => void,
): TracingRuntime {
  const attributes = config.OTEL_RESOURCE_ATTRIBUTES ?? {};
  const serviceName = config.OTEL_SERVICE_NAME ?? attributes['service.name'] ?? 'sift';
  const processor = new BoundedSpanProcessor(createExporter(config, endpoint), {
    maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
    // The specification: a batch larger than the queue is cut to the queue's size.
    maxExportBatchSize: Math.min(
      config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      config.OTEL_BSP_MAX_QUEUE_SIZE,
    ),
    scheduleDelayMs: config.OTEL_BSP_SCHEDULE_DELAY,
    exportTimeoutMs: config.OTEL_BSP_EXPORT_TIMEOUT,
    onDrop,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...attributes, 'service.name': serviceName }),
    sampler: createSampler(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG),
    // A batch span links every request it served: up to MAX_BATCH_SIZE, beyond the default 128.
    spanLimits: { linkCountLimit: Math.max(128, config.MAX_BATCH_SIZE) },
    spanProcessors: [processor],
  });
  return { provider, propagator: new W3CTraceContextPropagator(), endpoint };
}
