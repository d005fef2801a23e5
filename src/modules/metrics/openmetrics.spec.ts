import { Counter, Histogram, Registry } from 'prom-client';
import { negotiateExposition, openMetricsExposition } from './openmetrics';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function createSut() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'demo_requests_total',
    help: 'Requests "answered"\nby route',
    labelNames: ['route'],
    registers: [registry],
  });
  const duration = new Histogram<'route' | 'trace_id'>({
    name: 'demo_duration_seconds',
    help: 'Durations',
    labelNames: ['route'],
    buckets: [0.1, 1],
    enableExemplars: true,
    registers: [],
  });
  registry.registerMetric(duration);
  requests.inc({ route: '/a"b' });
  duration.observe({ labels: { route: '/a' }, value: 0.05, exemplarLabels: { trace_id: TRACE } });
  duration.observe({ labels: { route: '/a' }, value: 0.5 });
  return { registry };
}

describe(negotiateExposition.name, () => {
  it.each([
    [undefined, 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    // What Prometheus 2.x sends by default.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    // Prometheus 3.x: every range weighted, OpenMetrics first.
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      'openmetrics',
    ],
    ['text/plain;version=0.0.4,application/openmetrics-text;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
  ])('answers Accept %j with the %s format', (accept, format) => {
    expect(negotiateExposition(accept)).toBe(format);
  });
});

describe(openMetricsExposition.name, () => {
  it('names counter families without _total, samples with it, and ends with # EOF', async () => {
    const { registry } = createSut();
    const text = await openMetricsExposition(registry);
    expect(text).toContain('# HELP demo_requests Requests \\"answered\\"\\nby route\n');
    expect(text).toContain('# TYPE demo_requests counter\ndemo_requests_total{route="/a\\"b"} 1\n');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
  });

  it('puts the exemplar on the bucket its observation fell in, and on no other', async () => {
    const { registry } = createSut();
    const lines = (await openMetricsExposition(registry)).split('\n');
    const buckets = lines.filter((line) => line.startsWith('demo_duration_seconds_bucket'));
    expect(buckets).toEqual([
      expect.stringMatching(
        new RegExp(
          `^demo_duration_seconds_bucket\\{le="0.1",route="/a"\\} 1 # \\{trace_id="${TRACE}"\\} 0.05 \\d+(\\.\\d+)?$`,
        ),
      ),
      'demo_duration_seconds_bucket{le="1",route="/a"} 2',
      'demo_duration_seconds_bucket{le="+Inf",route="/a"} 2',
    ]);
  });

  it('leaves the classic exposition of the same registry unchanged', async () => {
    const { registry } = createSut();
    const before = await registry.metrics();
    await openMetricsExposition(registry);
    const after = await registry.metrics();
    expect(after).toBe(before);
    expect(after).toContain('demo_requests_total{route="/a\\"b"} 1');
    expect(after).not.toContain('# {');
    expect(after).not.toContain('# EOF');
  });
});
