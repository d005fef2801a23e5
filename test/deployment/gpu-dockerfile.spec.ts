import { loadConfig } from '../../src/config/load-config';
import {
  copySources,
  flagValue,
  instructionsOf,
  parseDockerfile,
  type BuildStage,
} from './support/dockerfile-model';
import { readRepoFile, repoFileExists } from './support/repo-files';

const model = parseDockerfile(readRepoFile('Dockerfile.gpu'));
const finalStage = model.stages[model.stages.length - 1];

function stageNamed(name: string): BuildStage {
  const stage = model.stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`no stage ${name}`);
  return stage;
}

/** The stage the final stage copies node_modules from, and its RUN scripts in order. */
const dependencyStage = stageNamed(
  instructionsOf(finalStage, 'COPY')
    .filter((copy) => copySources(copy).some((source) => source.endsWith('node_modules')))
    .map((copy) => flagValue(copy, 'from') ?? '')[0],
);
const dependencyScripts = instructionsOf(dependencyStage, 'RUN').map(
  (run) => run.getArgumentsContent() ?? '',
);

function envValue(stage: BuildStage, name: string): string | undefined {
  const words = instructionsOf(stage, 'ENV').flatMap((env) =>
    (env.getArgumentsContent() ?? '').split(/\s+/),
  );
  return words.find((word) => word.startsWith(`${name}=`))?.slice(name.length + 1);
}

describe('Dockerfile.gpu', () => {
  it('runs on a CUDA 13 runtime base with cuDNN, which the ONNX Runtime 1.29 provider links to', () => {
    expect(finalStage.image).toMatch(/^nvidia\/cuda:13\.[0-9.]+-cudnn-runtime-/);
  });

  it('takes Node.js 22 (a maintained release, pinned to a patch version) for every Node stage', () => {
    const nodeImages = model.stages
      .map((stage) => stage.image)
      .filter((image) => image.startsWith('node:'));
    expect(nodeImages.length).toBeGreaterThan(0);
    for (const image of nodeImages) expect(image).toMatch(/^node:22\.\d+\.\d+-/);
  });

  it('installs the CUDA provider with gpu:install after npm ci, checks it, then prunes', () => {
    const ci = dependencyScripts.findIndex((script) => /npm ci\b.*--omit=dev/.test(script));
    const install = dependencyScripts.findIndex((script) =>
      /npm run gpu:install(?! --)/.test(script),
    );
    const prune = dependencyScripts.findIndex((script) => script.includes('.ort-keep'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(install).toBeGreaterThan(ci);
    expect(prune).toBeGreaterThan(install);
    expect(dependencyScripts[install]).toContain('npm run gpu:install -- --check');
  });

  it('leaves the downloaded provider tarball out of node_modules, so it never reaches the image', () => {
    const install = dependencyScripts.find((script) => script.includes('npm run gpu:install'));
    expect(install).toMatch(/rm -rf node_modules\/\.cache\b/);
  });

  it('copies the install script and every module it imports into the dependency stage', () => {
    const copied = instructionsOf(dependencyStage, 'COPY').flatMap(copySources);
    const imports = [
      ...readRepoFile('scripts/gpu-install.mjs').matchAll(/from '\.\/([^']+)'/g),
    ].map((match) => `scripts/${match[1]}`);
    expect(imports.length).toBeGreaterThan(0);
    for (const file of ['scripts/gpu-install.mjs', ...imports]) {
      expect({ file, copied: copied.includes(file), exists: repoFileExists(file) }).toEqual({
        file,
        copied: true,
        exists: true,
      });
    }
  });

  it('runs the gpu:install that package.json defines', () => {
    const manifest = JSON.parse(readRepoFile('package.json')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['gpu:install']).toBe('node scripts/gpu-install.mjs');
  });

  it('selects the CUDA execution provider with CPU fallback, as the config schema accepts it', () => {
    const providers = envValue(finalStage, 'EXECUTION_PROVIDERS');
    expect(providers).toBe('cuda,cpu');
    expect(loadConfig({ EXECUTION_PROVIDERS: providers }).EXECUTION_PROVIDERS).toEqual([
      'cuda',
      'cpu',
    ]);
  });
});
