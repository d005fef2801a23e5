import { loadConfig } from '../../config';
import { tracesEndpoint } from './tracing-provider';

describe(tracesEndpoint.name, () => {
  it('is undefined without an endpoint, so tracing is off', () => {
    expect(tracesEndpoint(loadConfig({}))).toBeUndefined();
  });

  it('adds /v1/traces to the generic endpoint over HTTP', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(tracesEndpoint(config)).toBe('http://collector:4318/v1/traces');
  });

  it('uses the generic endpoint as given over gRPC', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(tracesEndpoint(config)).toBe('http://collector:4317');
  });

  it('prefers the traces endpoint, used as given', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp',
    });
    expect(tracesEndpoint(config)).toBe('https://traces.example.com/otlp');
  });

  it('is undefined when OTEL_SDK_DISABLED is true, endpoint or not', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SDK_DISABLED: 'true',
    });
    expect(tracesEndpoint(config)).toBeUndefined();
  });
});
