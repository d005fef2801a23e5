import Ajv from 'ajv';
import { DEFAULT_CONFIG, ROUTES, unknownVariables } from './support/app-contract';
import { isPinnedImage } from './support/image-reference';
import { asArray, asObject, asString, at, isObject, type PlainObject } from './support/plain-data';
import { readRepoFile, readYaml, repoFileExists } from './support/repo-files';

const composeSchema = asObject(
  JSON.parse(readRepoFile('test/deployment/schemas/compose-spec.json')),
  'compose-spec.json',
);
const compose = asObject(readYaml('docker-compose.yml'), 'docker-compose.yml');
const services = asObject(compose.services, 'services');

function service(name: string): PlainObject {
  return asObject(services[name], `services.${name}`);
}

/** `environment` as a map, whichever of the two compose spellings is used. */
function environmentOf(definition: PlainObject): Record<string, string> {
  const environment = definition.environment;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const text = asString(entry, 'environment entry');
        const equals = text.indexOf('=');
        return equals === -1 ? [text, ''] : [text.slice(0, equals), text.slice(equals + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(asObject(environment, 'environment')).map(([key, value]) => [
      key,
      String(value),
    ]),
  );
}

/** Bind mounts (`./host:/container[:ro]`) of a service. */
function bindMounts(definition: PlainObject): Array<{ source: string; target: string }> {
  return (Array.isArray(definition.volumes) ? definition.volumes : [])
    .map((volume) => asString(volume, 'volume'))
    .filter((volume) => volume.startsWith('./') || volume.startsWith('../'))
    .map((volume) => {
      const [source, target] = volume.split(':');
      return { source, target };
    });
}

function seconds(duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (match === null) throw new Error(`unsupported duration ${duration}`);
  const factor = { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    // The schema names draft-07 by its https URL; Ajv registers draft-07 under the http one.
    const validate = ajv.compile({
      ...composeSchema,
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs the API, Redis, Prometheus, Grafana and Jaeger', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'grafana',
      'jaeger',
      'prometheus',
      'redis',
    ]);
  });

  it("sends the API's traces to Jaeger's OTLP/HTTP receiver without making the API wait for it", () => {
    const api = service('api');
    const environment = environmentOf(api);
    expect(environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      '${OTEL_EXPORTER_OTLP_ENDPOINT:-http://jaeger:4318}',
    );
    expect(
      environment.OTEL_EXPORTER_OTLP_PROTOCOL ?? DEFAULT_CONFIG.OTEL_EXPORTER_OTLP_PROTOCOL,
    ).toBe('http/protobuf');
    expect(Object.keys(asObject(api.depends_on, 'depends_on'))).not.toContain('jaeger');
    expect(at(service('jaeger'), 'image')).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(service('jaeger').ports).toEqual(['127.0.0.1:16686:16686']);
  });

  it('pins every image to a version', () => {
    for (const [name, definition] of Object.entries(services)) {
      const image = asString(at(definition, 'image'), `services.${name}.image`);
      expect({ name, image, pinned: isPinnedImage(image) }).toEqual({ name, image, pinned: true });
    }
  });

  it('builds the API from the repository Dockerfile and publishes its port', () => {
    const api = service('api');
    expect(at(api, 'build.context')).toBe('.');
    expect(repoFileExists(asString(at(api, 'build.dockerfile'), 'build.dockerfile'))).toBe(true);
    expect(api.ports).toEqual([`${DEFAULT_CONFIG.PORT}:${DEFAULT_CONFIG.PORT}`]);
  });

  it('points the API at the redis service and waits for it to be healthy', () => {
    const api = service('api');
    expect(environmentOf(api).REDIS_URL).toBe('redis://redis:6379');
    expect(at(api, 'depends_on.redis.condition')).toBe('service_healthy');
    expect(at(service('redis'), 'healthcheck.test')).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('gives the API only variables its config schema reads', () => {
    expect(unknownVariables(Object.keys(environmentOf(service('api'))))).toEqual([]);
  });

  it('lets the API drain for longer than SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS before it is killed', () => {
    const api = service('api');
    const graceMs = Number(
      environmentOf(api).SHUTDOWN_GRACE_MS ?? DEFAULT_CONFIG.SHUTDOWN_GRACE_MS,
    );
    const delayMs = Number(
      environmentOf(api).SHUTDOWN_DELAY_MS ?? DEFAULT_CONFIG.SHUTDOWN_DELAY_MS,
    );
    expect(seconds(asString(api.stop_grace_period, 'stop_grace_period'))).toBeGreaterThan(
      (delayMs + graceMs) / 1000,
    );
  });

  it('mounts only files and folders that exist in the repository', () => {
    const mounts = Object.values(services).flatMap((definition) =>
      bindMounts(asObject(definition, 'service')),
    );
    expect(mounts.length).toBeGreaterThan(0);
    for (const { source } of mounts) {
      expect({ source, exists: repoFileExists(source) }).toEqual({ source, exists: true });
    }
  });

  it('requires the Grafana admin password from the environment instead of hard-coding one', () => {
    const environment = environmentOf(service('grafana'));
    expect(environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(
      /^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/,
    );
    expect(readRepoFile('docker-compose.yml')).not.toMatch(
      /PASSWORD:\s*["']?(admin|password|changeme)/i,
    );
  });

  it('has Prometheus scrape the API service on its port and metrics route', () => {
    const prometheus = asObject(readYaml('deploy/prometheus/prometheus.yml'), 'prometheus.yml');
    const job = asArray(prometheus.scrape_configs, 'scrape_configs')
      .map((entry) => asObject(entry, 'scrape config'))
      .find((entry) => entry.job_name === 'sift');
    expect(job?.metrics_path).toBe(ROUTES.metrics);
    expect(at(asArray(job?.static_configs, 'static_configs')[0], 'targets')).toEqual([
      `api:${DEFAULT_CONFIG.PORT}`,
    ]);
  });

  it("loads the alert rules from a file mounted into Prometheus' container", () => {
    const prometheus = asObject(readYaml('deploy/prometheus/prometheus.yml'), 'prometheus.yml');
    const targets = bindMounts(service('prometheus')).map((mount) => mount.target);
    const ruleFiles = asArray(prometheus.rule_files, 'rule_files');
    expect(ruleFiles.length).toBeGreaterThan(0);
    for (const ruleFile of ruleFiles) expect(targets).toContain(ruleFile);
  });

  it('provisions Grafana from mounted datasource and dashboard folders that agree with each other', () => {
    const grafana = bindMounts(service('grafana'));
    const targetOf = (source: string): string | undefined =>
      grafana.find((mount) => mount.source === source)?.target;
    expect(targetOf('./deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');

    const providers = asObject(
      readYaml('deploy/grafana/provisioning/dashboards/sift.yml'),
      'dashboards provider',
    );
    const provider = asObject(asArray(providers.providers, 'providers')[0], 'provider');
    expect(at(provider, 'options.path')).toBe(targetOf('./deploy/grafana/dashboards'));

    const datasources = asObject(
      readYaml('deploy/grafana/provisioning/datasources/prometheus.yml'),
      'datasources',
    );
    const datasource = asArray(datasources.datasources, 'datasources').find(
      (entry) => isObject(entry) && entry.type === 'prometheus',
    );
    expect(at(datasource, 'url')).toBe('http://prometheus:9090');
  });

  it("keeps the latency histograms' exemplars and links their trace ids to Jaeger", () => {
    const command = asArray(at(service('prometheus'), 'command'), 'prometheus.command');
    expect(command).toContain('--enable-feature=exemplar-storage');
    // Overriding the command drops the image's own arguments: they must be restated.
    expect(command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const dataMount = asArray(service('prometheus').volumes, 'volumes').find(
      (volume) => typeof volume === 'string' && volume.startsWith('prometheus-data:'),
    );
    expect(command).toContain(`--storage.tsdb.path=${String(dataMount).split(':')[1]}`);

    const datasources = asArray(
      asObject(readYaml('deploy/grafana/provisioning/datasources/prometheus.yml'), 'datasources')
        .datasources,
      'datasources',
    ).filter(isObject);
    const jaeger = datasources.find((entry) => entry.type === 'jaeger');
    const jaegerUi = asArray(service('jaeger').ports, 'ports')[0];
    expect(at(jaeger, 'url')).toBe(`http://jaeger:${String(jaegerUi).split(':').at(-1)}`);
    const prometheus = datasources.find((entry) => entry.type === 'prometheus');
    expect(at(prometheus, 'jsonData.exemplarTraceIdDestinations')).toEqual([
      { name: 'trace_id', datasourceUid: at(jaeger, 'uid') },
    ]);
  });
});
