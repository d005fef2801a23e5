import type { Registry } from 'prom-client';

/** What `Accept: application/openmetrics-text` is answered with. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The classic Prometheus text format or OpenMetrics 1.0, which can carry exemplars. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/**
 * The format a scraper asked for: OpenMetrics only when it names `application/openmetrics-text`
 * with a q-value no lower than the classic format's (Prometheus sends both and prefers
 * OpenMetrics); everything else, `*\/*` and no header included, gets the classic format.
 */
export function negotiateExposition(accept: string | undefined): ExpositionFormat {
  let openMetrics = 0;
  let classic = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2)) || 0;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain') classic = Math.max(classic, q);
  }
  return openMetrics > 0 && openMetrics >= classic ? 'openmetrics' : 'prometheus';
}

/** prom-client's exemplar labels for a sampled trace; undefined (no exemplar) without one. */
export function traceExemplar(traceId: string | undefined): { trace_id: string } | undefined {
  return traceId === undefined ? undefined : { trace_id: traceId };
}

/** An exemplar as prom-client 15 keeps it on a histogram bucket or counter value. */
interface Exemplar {
  readonly labelSet: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly timestamp: number;
}

/** prom-client's exports of a value carry these untyped fields (index.d.ts leaves them out). */
interface ExportedValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
  readonly exemplar?: Exemplar | null;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Readonly<Record<string, string | number | undefined>>): string {
  const pairs = Object.entries(labels)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}="${escapeLabel(String(value))}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatExemplar(exemplar: Exemplar | null | undefined): string {
  if (exemplar === null || exemplar === undefined || Object.keys(exemplar.labelSet).length === 0) {
    return '';
  }
  return ` # ${formatLabels(exemplar.labelSet)} ${formatValue(exemplar.value)} ${exemplar.timestamp}`;
}

/**
 * The registry in OpenMetrics 1.0 text, exemplars included. Written here because prom-client
 * cannot serve both formats from one registry: its OpenMetrics `Registry.metrics()` strips
 * `_total` from every counter's name in place (to name the family), so the next classic scrape
 * of the same metrics prints `nlp_requests` instead of `nlp_requests_total`; and a registry of
 * its own per format would mean observing everything twice. The values, exemplars included,
 * are prom-client's own (`getMetricsAsJSON`); only the text is ours.
 */
export async function openMetricsExposition(registry: Registry): Promise<string> {
  const lines: string[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    // index.d.ts declares `type` a numeric enum; at run time it is the name (`counter`, ...).
    const type = String(metric.type);
    // An OpenMetrics counter family has no `_total`; its samples do.
    const family = type === 'counter' ? metric.name.replace(/_total$/, '') : metric.name;
    const help = metric.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
    lines.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`);
    for (const value of metric.values as readonly ExportedValue[]) {
      const name = type === 'counter' ? `${family}_total` : (value.metricName ?? metric.name);
      const sample = `${name}${formatLabels(value.labels)} ${formatValue(value.value)}`;
      lines.push(sample + formatExemplar(value.exemplar));
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
