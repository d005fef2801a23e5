import { ConfigError, loadConfig } from './load-config';

describe('OpenTelemetry variables', () => {
  it('leave tracing unconfigured by default, with the specification defaults', () => {
    const sut = loadConfig({});
    expect(sut.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(sut.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(sut.OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    expect(sut.OTEL_SDK_DISABLED).toBe(false);
    expect(sut.OTEL_BSP_MAX_QUEUE_SIZE).toBe(2048);
  });

  it('parse headers and resource attributes as percent-encoded key=value lists', () => {
    const sut = loadConfig({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant=blue',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.namespace=nlp',
    });
    expect(sut.OTEL_EXPORTER_OTLP_HEADERS).toEqual({
      authorization: 'Bearer abc',
      'x-tenant': 'blue',
    });
    expect(sut.OTEL_RESOURCE_ATTRIBUTES).toEqual({
      'deployment.environment.name': 'prod',
      'service.namespace': 'nlp',
    });
  });

  it('disable the SDK only for "true", in any case, as the specification says', () => {
    expect(loadConfig({ OTEL_SDK_DISABLED: 'TRUE' }).OTEL_SDK_DISABLED).toBe(true);
    expect(loadConfig({ OTEL_SDK_DISABLED: 'yes' }).OTEL_SDK_DISABLED).toBe(false);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'no-equals-sign'],
    ['OTEL_TRACES_SAMPLER', 'jaeger_remote'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
  ])('refuse a bad %s, naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(variable);
  });
});
