import { APP_METRICS, DEFAULT_CONFIG, metricsIn } from './support/app-contract';
import { asArray, asObject, asString, at, type PlainObject } from './support/plain-data';
import { readRepoFile, readYaml } from './support/repo-files';

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly rule: PlainObject;
}

const rules: AlertRule[] = asArray(
  asObject(readYaml('deploy/prometheus/alerts.yml'), 'alerts').groups,
  'groups',
)
  .flatMap((group) => asArray(asObject(group, 'group').rules, 'rules'))
  .map((entry) => {
    const rule = asObject(entry, 'rule');
    return { alert: asString(rule.alert, 'alert'), expr: asString(rule.expr, 'expr'), rule };
  });

function ruleReading(metric: string): AlertRule {
  const found = rules.find((rule) => metricsIn(rule.expr).includes(metric));
  if (found === undefined) throw new Error(`no alert reads ${metric}`);
  return found;
}

const dashboard = asObject(
  JSON.parse(readRepoFile('deploy/grafana/dashboards/sift.json')),
  'dashboard',
);
const panels = asArray(dashboard.panels, 'panels').map((panel) => asObject(panel, 'panel'));
const expressions = panels.flatMap((panel) =>
  asArray(panel.targets, 'targets').map((target) => asString(at(target, 'expr'), 'expr')),
);

describe('Prometheus alert rules', () => {
  it('give every alert a duration, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const { alert, rule } of rules) {
      expect({ alert, for: typeof rule.for, severity: at(rule, 'labels.severity') }).toEqual({
        alert,
        for: 'string',
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(typeof at(rule, 'annotations.summary')).toBe('string');
    }
  });

  it('read only metrics the app exports', () => {
    for (const { alert, expr } of rules) {
      const unknown = metricsIn(expr).filter((metric) => !APP_METRICS.has(metric));
      expect({ alert, unknown }).toEqual({ alert, unknown: [] });
    }
  });

  it('alert on the 5xx error rate', () => {
    expect(ruleReading('nlp_requests_total').expr).toMatch(/nlp_requests_total\{status=~"5\.\."\}/);
  });

  it('alert on p99 latency from the request duration histogram', () => {
    expect(ruleReading('nlp_request_duration_seconds').expr).toMatch(
      /histogram_quantile\(0\.99,.*nlp_request_duration_seconds_bucket/,
    );
  });

  it("alert on queue saturation relative to MAX_QUEUE_TEXTS' default", () => {
    const limits = (ruleReading('nlp_queue_depth').expr.match(/\b\d{3,}\b/g) ?? []).map(Number);
    expect(limits).toEqual([DEFAULT_CONFIG.MAX_QUEUE_TEXTS]);
  });

  it('alert when the app reports Redis unreachable', () => {
    expect(ruleReading('nlp_cache_redis_up').expr).toMatch(/nlp_cache_redis_up\s*==\s*0/);
  });
});

describe('Grafana dashboard', () => {
  const datasources = asObject(
    readYaml('deploy/grafana/provisioning/datasources/prometheus.yml'),
    'datasources',
  );
  const datasourceUid = at(asArray(datasources.datasources, 'datasources')[0], 'uid');

  it('queries the provisioned Prometheus datasource in every panel', () => {
    for (const panel of panels) {
      expect({ title: panel.title, uid: at(panel, 'datasource.uid') }).toEqual({
        title: panel.title,
        uid: datasourceUid,
      });
    }
  });

  it('has a unique id and a title per panel', () => {
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels) expect(typeof panel.title).toBe('string');
  });

  it('reads only metrics the app exports', () => {
    const unknown = expressions.flatMap(metricsIn).filter((metric) => !APP_METRICS.has(metric));
    expect(unknown).toEqual([]);
  });

  it.each([
    ['request rate by status', /sum by \(status\) \(rate\(nlp_requests_total/],
    ['p50 latency', /histogram_quantile\(0\.5, .*nlp_request_duration_seconds_bucket/],
    ['p95 latency', /histogram_quantile\(0\.95, .*nlp_request_duration_seconds_bucket/],
    ['p99 latency', /histogram_quantile\(0\.99, .*nlp_request_duration_seconds_bucket/],
    ['batch size', /nlp_batch_size_bucket/],
    ['queue depth', /nlp_queue_depth/],
    ['cache hit rate', /nlp_cache_hit_rate/],
    ['rejections by reason', /sum by \(reason\) \(rate\(nlp_rejected_total/],
    ['app memory', /nlp_memory_usage_bytes/],
    ['resident memory', /process_resident_memory_bytes/],
  ])('charts %s', (_name, pattern) => {
    expect(expressions.some((expression) => pattern.test(expression))).toBe(true);
  });
});
