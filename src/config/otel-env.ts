import { z } from 'zod';

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

/**
 * `key=value` pairs, comma-separated, values percent-decoded: the W3C Baggage-like form the
 * OpenTelemetry specification gives OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES.
 * Unset: undefined, so the README shows "(none)" rather than `{}`.
 */
const keyValueList = z
  .string()
  .transform((value, context) => {
    const pairs: Record<string, string> = {};
    for (const item of value.split(',')) {
      if (item.trim() === '') continue;
      const equals = item.indexOf('=');
      const key = equals > 0 ? item.slice(0, equals).trim() : '';
      if (key === '') {
        context.addIssue({ code: 'custom', message: 'entries must be key=value' });
        return z.NEVER;
      }
      try {
        pairs[key] = decodeURIComponent(item.slice(equals + 1).trim());
      } catch {
        context.addIssue({ code: 'custom', message: `the value of ${key} is not percent-encoded` });
        return z.NEVER;
      }
    }
    return pairs;
  })
  .optional();

const endpoint = z.url({ protocol: /^https?$/ }).optional();

/** The samplers the specification names for OTEL_TRACES_SAMPLER (jaeger and xray excepted). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/**
 * The standard OpenTelemetry variables Sift reads (see docs/observability.md, Traces), with
 * the specification's defaults. Tracing is on only when an endpoint is set and the SDK is not
 * disabled. The exporters read the rest of OTEL_EXPORTER_OTLP_* (timeout, compression,
 * certificates) themselves.
 */
export const otelEnv = {
  // The specification: `true`, in any case, disables; any other value leaves the SDK on.
  OTEL_SDK_DISABLED: z
    .string()
    .transform((value) => value.trim().toLowerCase() === 'true')
    .default(false),
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/protobuf', 'http/json', 'grpc'])
    .default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
  // Unset: service.name from OTEL_RESOURCE_ATTRIBUTES, else `sift` (the specification's order).
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList,
  OTEL_TRACES_SAMPLER: z.enum(TRACE_SAMPLERS).default('parentbased_always_on'),
  // The ratio of the *traceidratio samplers; unset: 1.
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_BSP_SCHEDULE_DELAY: integer(0, 3600000).default(5000),
  OTEL_BSP_EXPORT_TIMEOUT: integer(1, 3600000).default(30000),
  OTEL_BSP_MAX_QUEUE_SIZE: integer(1, 1000000).default(2048),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: integer(1, 1000000).default(512),
};
