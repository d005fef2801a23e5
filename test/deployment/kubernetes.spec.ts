import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { PRODUCTION_CHECKS } from '../../tools/cluster/local-cluster';
import { DEFAULT_CONFIG, ROUTES, unknownVariables } from './support/app-contract';
import { isPinnedImage } from './support/image-reference';
import {
  API_MODELS,
  K8S_DIR,
  KUSTOMIZATION,
  k8sYamlFiles,
  loadManifests,
  type Manifest,
} from './support/k8s-manifests';
import { asArray, asNumber, asObject, asString, at, type PlainObject } from './support/plain-data';
import { readRepoFile, readYaml, repoFileExists, repoPath } from './support/repo-files';

const PRODUCTION = join(K8S_DIR, 'overlays', 'production');
const manifests = loadManifests();

function manifest(kind: string, name: string): Manifest {
  const found = manifests.find((candidate) => candidate.kind === kind && candidate.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} under k8s/`);
  return found;
}

function containersOf(
  deployment: Manifest,
  field: 'containers' | 'initContainers' = 'containers',
): PlainObject[] {
  const list = at(deployment.document, `spec.template.spec.${field}`);
  return list === undefined
    ? []
    : asArray(list, field).map((container) => asObject(container, 'container'));
}

function container(deployment: Manifest, name: string): PlainObject {
  const found = containersOf(deployment).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no container ${name} in ${deployment.name}`);
  return found;
}

/** A probe's or Service's port, with a named port looked up in the container. */
function resolvePort(port: unknown, owner: PlainObject): number {
  if (typeof port === 'number') return port;
  const named = asArray(owner.ports, 'ports').find((entry) => at(entry, 'name') === port);
  return asNumber(at(named, 'containerPort'), `port ${String(port)}`);
}

function stringData(value: unknown, what: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asObject(value, what)).map(([key, item]) => [
      key,
      asString(item, `${what}.${key}`),
    ]),
  );
}

function dotenv(relativePath: string): Record<string, string> {
  return Object.fromEntries(
    readRepoFile(relativePath)
      .split(/\r?\n/)
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const deployment = manifest('Deployment', 'sift');
const sift = container(deployment, 'sift');
const podSpec = asObject(at(deployment.document, 'spec.template.spec'), 'pod spec');
const podLabels = asObject(at(deployment.document, 'spec.template.metadata.labels'), 'pod labels');
const configData = stringData(manifest('ConfigMap', 'sift-config').document.data, 'ConfigMap data');
const kustomization = asObject(
  readYaml(join(PRODUCTION, KUSTOMIZATION)),
  'production kustomization',
);
const secretGenerator = asObject(
  asArray(kustomization.secretGenerator, 'secretGenerator')[0],
  'secretGenerator',
);
const secretExample = dotenv(
  join(PRODUCTION, `${asString(asArray(secretGenerator.envs, 'envs')[0], 'envs')}.example`),
);
/** The settings a pod starts with: the ConfigMap plus the example Secret. */
const podConfig = loadConfig({ ...configData, ...secretExample });

function selects(selector: unknown): boolean {
  const labels = asObject(at(selector, 'matchLabels') ?? selector, 'selector');
  return Object.entries(labels).every(([key, value]) => podLabels[key] === value);
}

describe('Kubernetes manifests', () => {
  it('parse, and every object validates against its Kubernetes API schema', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const { file, apiVersion, kind, document } of manifests) {
      const validate = API_MODELS[`${apiVersion}/${kind}`];
      expect({ file, kind, known: validate !== undefined }).toEqual({ file, kind, known: true });
      expect(() => validate(document).validate()).not.toThrow();
    }
  });

  it('are each listed in the kustomization beside them, and every listed resource exists', () => {
    const kustomizations = k8sYamlFiles().filter((file) => file.endsWith(KUSTOMIZATION));
    const listed = new Set<string>();
    for (const file of kustomizations) {
      const resources = asArray(asObject(readYaml(file), file).resources, `${file} resources`);
      for (const resource of resources) {
        const path = normalize(join(dirname(file), asString(resource, 'resource')));
        const isDirectory = existsSync(repoPath(path)) && statSync(repoPath(path)).isDirectory();
        expect({
          path,
          exists: isDirectory ? repoFileExists(join(path, KUSTOMIZATION)) : repoFileExists(path),
        }).toEqual({ path, exists: true });
        listed.add(path);
      }
    }
    const files = [...new Set(manifests.map((entry) => entry.file))];
    expect(files.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('pin every container image, and the overlay pins the one it substitutes', () => {
    for (const entry of manifests.filter((candidate) => candidate.kind === 'Deployment')) {
      for (const each of [...containersOf(entry), ...containersOf(entry, 'initContainers')]) {
        const image = asString(each.image, 'image');
        expect({ image, pinned: isPinnedImage(image) }).toEqual({ image, pinned: true });
      }
    }
    const override = asObject(asArray(kustomization.images, 'images')[0], 'images[0]');
    const image = `${asString(override.newName, 'newName')}:${asString(override.newTag, 'newTag')}`;
    expect(isPinnedImage(image)).toBe(true);
    expect(asString(sift.image, 'image').startsWith(`${asString(override.name, 'name')}:`)).toBe(
      true,
    );
  });
});

describe('Deployment sift', () => {
  it("probes liveness on /health and readiness on /ready at the app's port", () => {
    expect(at(sift, 'livenessProbe.httpGet.path')).toBe(ROUTES.liveness);
    expect(at(sift, 'readinessProbe.httpGet.path')).toBe(ROUTES.readiness);
    expect(resolvePort(at(sift, 'livenessProbe.httpGet.port'), sift)).toBe(podConfig.PORT);
    expect(resolvePort(at(sift, 'readinessProbe.httpGet.port'), sift)).toBe(podConfig.PORT);
    expect(podConfig.PORT).toBe(DEFAULT_CONFIG.PORT);
  });

  it('sets CPU and memory requests and limits on every container', () => {
    for (const each of [
      ...containersOf(deployment),
      ...containersOf(deployment, 'initContainers'),
    ]) {
      for (const field of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']) {
        expect({
          container: each.name,
          field,
          set: at(each.resources, field) !== undefined,
        }).toEqual({
          container: each.name,
          field,
          set: true,
        });
      }
    }
  });

  it('takes its environment from the ConfigMap and the Secret, with names the app reads', () => {
    expect(sift.envFrom).toEqual([
      { configMapRef: { name: 'sift-config' } },
      { secretRef: { name: asString(secretGenerator.name, 'secret name') } },
    ]);
    expect(unknownVariables([...Object.keys(configData), ...Object.keys(secretExample)])).toEqual(
      [],
    );
    expect(Object.keys(secretExample).sort()).toEqual(['ADMIN_API_KEY', 'REDIS_URL']);
    expect(sift.env).toBeUndefined();
  });

  it('keeps the real Secret file out of git', () => {
    const envFile = asString(asArray(secretGenerator.envs, 'envs')[0], 'envs');
    expect(readRepoFile(join(PRODUCTION, '.gitignore')).split(/\r?\n/)).toContain(envFile);
  });

  it('runs as non-root with a read-only root filesystem and a writable /tmp', () => {
    expect(at(podSpec, 'securityContext.runAsNonRoot')).toBe(true);
    for (const each of [
      ...containersOf(deployment),
      ...containersOf(deployment, 'initContainers'),
    ]) {
      expect(at(each, 'securityContext.readOnlyRootFilesystem')).toBe(true);
      expect(at(each, 'securityContext.allowPrivilegeEscalation')).toBe(false);
    }
    const tmp = asArray(sift.volumeMounts, 'volumeMounts').find(
      (mount) => at(mount, 'mountPath') === '/tmp',
    );
    const volume = asArray(podSpec.volumes, 'volumes').find(
      (entry) => at(entry, 'name') === at(tmp, 'name'),
    );
    expect(at(volume, 'emptyDir')).toBeDefined();
  });

  it('outlasts preStop, SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS before Kubernetes kills the pod', () => {
    const command = asArray(at(sift, 'lifecycle.preStop.exec.command'), 'preStop command');
    expect(command[0]).toBe('sleep');
    const preStopSeconds = Number(command[1]);
    const grace = asNumber(podSpec.terminationGracePeriodSeconds, 'terminationGracePeriodSeconds');
    expect(grace).toBeGreaterThan(
      preStopSeconds + (podConfig.SHUTDOWN_DELAY_MS + podConfig.SHUTDOWN_GRACE_MS) / 1000,
    );
  });

  it('keeps a draining pod serving until its failing readiness probe has taken it out', () => {
    const period = asNumber(at(sift, 'readinessProbe.periodSeconds'), 'periodSeconds');
    const failures = asNumber(at(sift, 'readinessProbe.failureThreshold'), 'failureThreshold');
    const timeout = asNumber(at(sift, 'readinessProbe.timeoutSeconds'), 'timeoutSeconds');
    expect(podConfig.SHUTDOWN_DELAY_MS / 1000).toBeGreaterThanOrEqual(period * failures + timeout);
    // The local cluster (npm run cluster) checks /ready with the same numbers.
    expect(PRODUCTION_CHECKS).toEqual({
      intervalMs: period * 1000,
      timeoutMs: timeout * 1000,
      fall: failures,
      rise: asNumber(at(sift, 'readinessProbe.successThreshold') ?? 1, 'successThreshold'),
    });
  });

  it('mounts the models PersistentVolumeClaim at MODELS_DIR, seeded by the init container', () => {
    const claimVolume = asArray(podSpec.volumes, 'volumes').find((entry) =>
      at(entry, 'persistentVolumeClaim'),
    );
    const claimName = asString(at(claimVolume, 'persistentVolumeClaim.claimName'), 'claimName');
    expect(manifest('PersistentVolumeClaim', claimName).document.spec).toBeDefined();
    const mountOf = (owner: PlainObject): unknown =>
      asArray(owner.volumeMounts, 'volumeMounts').find(
        (mount) => at(mount, 'name') === at(claimVolume, 'name'),
      );
    expect(at(mountOf(sift), 'mountPath')).toBe(podConfig.MODELS_DIR);
    const seed = containersOf(deployment, 'initContainers').find(
      (each) => each.name === 'seed-models',
    );
    expect(seed).toBeDefined();
    expect(at(mountOf(asObject(seed, 'seed-models')), 'mountPath')).toBe(podConfig.MODELS_DIR);
  });

  it('seeds missing models into the volume, keeps existing ones and leaves no staging folders', () => {
    const seed = containersOf(deployment, 'initContainers').find(
      (each) => each.name === 'seed-models',
    );
    const [program, ...args] = asArray(seed?.command, 'seed-models command').map((part) =>
      asString(part, 'command part'),
    );
    expect(program).toBe('node');
    const scratch = mkdtempSync(join(tmpdir(), 'sift-seed-'));
    try {
      const image = join(scratch, 'image');
      const volume = join(scratch, 'volume');
      for (const model of ['spam-en', 'lang-id']) {
        mkdirSync(join(image, model), { recursive: true });
        writeFileSync(join(image, model, 'config.json'), `{"from":"image"}`);
      }
      mkdirSync(join(volume, 'spam-en'), { recursive: true });
      writeFileSync(join(volume, 'spam-en', 'config.json'), `{"from":"volume"}`);

      const run = (): void => {
        // The last argument is the image's models folder; point it at the scratch copy.
        execFileSync(process.execPath, [...args.slice(0, -1), image], {
          env: { ...process.env, MODELS_DIR: volume },
          stdio: 'pipe',
        });
      };
      run();
      run();

      expect(readdirSync(volume).sort()).toEqual(['lang-id', 'spam-en']);
      expect(readFileSync(join(volume, 'lang-id', 'config.json'), 'utf8')).toBe(`{"from":"image"}`);
      expect(readFileSync(join(volume, 'spam-en', 'config.json'), 'utf8')).toBe(
        `{"from":"volume"}`,
      );
      expect(args[args.length - 1]).toBe('/app/models');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('leaves the replica count to the HorizontalPodAutoscaler', () => {
    expect(at(deployment.document, 'spec.replicas')).toBeUndefined();
  });
});

describe('Service, autoscaler and disruption budget', () => {
  it('routes the Service to the pods on the http port', () => {
    const service = manifest('Service', 'sift').document;
    expect(selects(at(service, 'spec.selector'))).toBe(true);
    const port = asObject(asArray(at(service, 'spec.ports'), 'ports')[0], 'port');
    expect(resolvePort(port.targetPort, sift)).toBe(podConfig.PORT);
  });

  it('scales the Deployment between 2 and 10 replicas on CPU 70% and memory 80%', () => {
    const hpa = manifest('HorizontalPodAutoscaler', 'sift');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(at(hpa.document, 'spec.scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'sift',
    });
    expect(at(hpa.document, 'spec.minReplicas')).toBe(2);
    expect(at(hpa.document, 'spec.maxReplicas')).toBe(10);
    const targets = asArray(at(hpa.document, 'spec.metrics'), 'metrics').map((metric) => [
      at(metric, 'resource.name'),
      at(metric, 'resource.target.averageUtilization'),
    ]);
    expect(targets).toEqual([
      ['cpu', 70],
      ['memory', 80],
    ]);
  });

  it('keeps at least one pod through voluntary disruptions, below the minimum replica count', () => {
    const pdb = manifest('PodDisruptionBudget', 'sift').document;
    expect(selects(at(pdb, 'spec.selector'))).toBe(true);
    const minAvailable = asNumber(at(pdb, 'spec.minAvailable'), 'minAvailable');
    expect(minAvailable).toBeGreaterThanOrEqual(1);
    expect(minAvailable).toBeLessThan(
      asNumber(
        at(manifest('HorizontalPodAutoscaler', 'sift').document, 'spec.minReplicas'),
        'minReplicas',
      ),
    );
  });
});

describe('Redis', () => {
  it('is the in-cluster service the example REDIS_URL points at', () => {
    const service = manifest('Service', 'sift-redis').document;
    const url = new URL(asString(secretExample.REDIS_URL, 'REDIS_URL'));
    expect(url.hostname).toBe('sift-redis');
    expect(Number(url.port)).toBe(at(asArray(at(service, 'spec.ports'), 'ports')[0], 'port'));
    expect(manifest('Deployment', 'sift-redis').document.spec).toBeDefined();
  });
});
