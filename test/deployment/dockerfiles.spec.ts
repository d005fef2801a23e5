import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, ROUTES, unknownVariables } from './support/app-contract';
import { DockerIgnore } from './support/dockerignore';
import {
  copySources,
  execForm,
  flagValue,
  instructionsOf,
  parseDockerfile,
  type BuildStage,
  type DockerfileModel,
} from './support/dockerfile-model';
import { isPinnedImage } from './support/image-reference';
import { readRepoFile, repoFileExists } from './support/repo-files';

const DOCKERFILES = ['Dockerfile', 'Dockerfile.gpu'] as const;
const ORT_BINARIES = 'node_modules/onnxruntime-node/bin/napi-v6';

function finalStage(model: DockerfileModel): BuildStage {
  const stage = model.stages[model.stages.length - 1];
  if (stage === undefined) throw new Error('no FROM');
  return stage;
}

function envNames(stage: BuildStage): string[] {
  return instructionsOf(stage, 'ENV').flatMap((instruction) =>
    (instruction.getArgumentsContent() ?? '')
      .split(/\s+/)
      .filter((word) => word.includes('='))
      .map((word) => word.slice(0, word.indexOf('='))),
  );
}

function envValue(stage: BuildStage, name: string): string | undefined {
  for (const instruction of instructionsOf(stage, 'ENV')) {
    for (const word of (instruction.getArgumentsContent() ?? '').split(/\s+/)) {
      if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    }
  }
  return undefined;
}

/** The stage that the final stage copies node_modules from. */
function dependencyStage(model: DockerfileModel): BuildStage {
  const copy = instructionsOf(finalStage(model), 'COPY').find((instruction) =>
    copySources(instruction).some((source) => source.endsWith('node_modules')),
  );
  const name = copy === undefined ? undefined : flagValue(copy, 'from');
  const stage = model.stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error('the final stage copies no node_modules from a stage');
  return stage;
}

function pruneStep(stage: BuildStage): string {
  const run = instructionsOf(stage, 'RUN')
    .map((instruction) => instruction.getArgumentsContent() ?? '')
    .find((script) => script.includes(ORT_BINARIES) && script.includes('rm -rf'));
  if (run === undefined) throw new Error('no RUN step prunes onnxruntime-node binaries');
  return run;
}

describe.each(DOCKERFILES)('%s', (file) => {
  const model = parseDockerfile(readRepoFile(file));
  const dockerIgnore = new DockerIgnore(readRepoFile('.dockerignore'));
  const stageNames = new Set(model.stages.map((stage) => stage.name));

  it('has no syntax or lint problems', () => {
    expect(model.problems).toEqual([]);
  });

  it('is multi-stage: a build stage, and a final stage without the build tool chain', () => {
    expect(model.stages.length).toBeGreaterThanOrEqual(2);
    const build = model.stages.find((stage) =>
      instructionsOf(stage, 'RUN').some((run) =>
        /npm run build/.test(run.getArgumentsContent() ?? ''),
      ),
    );
    expect(build).toBeDefined();
    expect(build).not.toBe(finalStage(model));
  });

  it('pins every base image (no latest, no bare name) or names an earlier stage', () => {
    for (const stage of model.stages) {
      expect({
        image: stage.image,
        pinned: stageNames.has(stage.image) || isPinnedImage(stage.image),
      }).toEqual({
        image: stage.image,
        pinned: true,
      });
    }
  });

  it('runs the final stage as a numeric non-root user', () => {
    const users = instructionsOf(finalStage(model), 'USER').map(
      (user) => user.getArgumentsContent() ?? '',
    );
    expect(users.length).toBeGreaterThan(0);
    const [user, group = user] = users[users.length - 1].split(':');
    expect(user).toMatch(/^[1-9][0-9]*$/);
    expect(group).toMatch(/^[1-9][0-9]*$/);
  });

  it('sets NODE_ENV=production in the final stage', () => {
    expect(envValue(finalStage(model), 'NODE_ENV')).toBe('production');
  });

  it("caps glibc's malloc arenas, so model loads and unloads do not ratchet RSS up", () => {
    // The same cap as test/lifecycle/load-unload-memory.e2e-spec.ts, which measures it.
    expect(envValue(finalStage(model), 'MALLOC_ARENA_MAX')).toBe('2');
  });

  it('sets only variables the app reads (or known non-app ones)', () => {
    expect(unknownVariables(model.stages.flatMap(envNames))).toEqual([]);
  });

  it("exposes the app's default PORT", () => {
    const exposed = instructionsOf(finalStage(model), 'EXPOSE').map((expose) =>
      expose.getArgumentsContent(),
    );
    expect(exposed).toEqual([String(DEFAULT_CONFIG.PORT)]);
  });

  it('health-checks the liveness route with node (slim images have no curl)', () => {
    const checks = instructionsOf(finalStage(model), 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const command = execForm(checks[0]);
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain(`'${ROUTES.liveness}'`);
    expect(command.join(' ')).toContain(String(DEFAULT_CONFIG.PORT));
  });

  it('starts the compiled entry point of src/main.ts with node as PID 1', () => {
    const commands = instructionsOf(finalStage(model), 'CMD');
    expect(commands).toHaveLength(1);
    expect(execForm(commands[0])).toEqual(['node', 'dist/main.js']);
    expect(repoFileExists('src/main.ts')).toBe(true);
  });

  it('copies only paths that exist and that .dockerignore lets into the context', () => {
    for (const stage of model.stages) {
      for (const copy of instructionsOf(stage, 'COPY')) {
        const from = flagValue(copy, 'from');
        if (from !== undefined) {
          expect(stageNames.has(from)).toBe(true);
          continue;
        }
        for (const source of copySources(copy)) {
          expect({
            source,
            exists: repoFileExists(source),
            ignored: dockerIgnore.isExcluded(source),
          }).toEqual({
            source,
            exists: true,
            ignored: false,
          });
        }
      }
    }
  });

  it('keeps generated benchmark models and local secrets out of the build context', () => {
    expect(dockerIgnore.isExcluded('models/bert-bench/onnx/model.onnx')).toBe(true);
    expect(dockerIgnore.isExcluded('.env')).toBe(true);
    expect(dockerIgnore.isExcluded('models/spam-en/config.json')).toBe(false);
  });

  it('installs production dependencies without install scripts for the final image', () => {
    const installs = instructionsOf(dependencyStage(model), 'RUN').map(
      (run) => run.getArgumentsContent() ?? '',
    );
    expect(installs.some((script) => /npm ci\b.*--omit=dev.*--ignore-scripts/.test(script))).toBe(
      true,
    );
  });

  it("prunes onnxruntime-node's binaries down to the build platform's", () => {
    const script = pruneStep(dependencyStage(model));
    const workdir = mkdtempSync(join(tmpdir(), 'sift-ort-prune-'));
    try {
      for (const platform of [
        'darwin/arm64',
        'linux/arm64',
        'linux/x64',
        'win32/arm64',
        'win32/x64',
      ]) {
        mkdirSync(join(workdir, ORT_BINARIES, platform), { recursive: true });
        writeFileSync(join(workdir, ORT_BINARIES, platform, 'onnxruntime_binding.node'), '');
      }
      execFileSync('sh', ['-c', script], { cwd: workdir, stdio: 'pipe' });
      const kept = readdirSync(join(workdir, ORT_BINARIES), {
        recursive: true,
        encoding: 'utf8',
      }).sort();
      const arch = process.arch;
      expect(kept).toEqual(['linux', `linux/${arch}`, `linux/${arch}/onnxruntime_binding.node`]);
      expect(existsSync(join(workdir, '.ort-keep'))).toBe(false);
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});

// Dockerfile.gpu's own checks (CUDA base, provider install) are in gpu-dockerfile.spec.ts.

describe(DockerIgnore.name, () => {
  const sut = new DockerIgnore('*\n!src\n!models\nmodels/bench*\n**/*.spec.ts\n');

  it('re-includes allow-listed folders and what is inside them', () => {
    expect(sut.isExcluded('src')).toBe(false);
    expect(sut.isExcluded('src/main.ts')).toBe(false);
  });

  it('excludes everything else, nested exclusions and spec files at any depth', () => {
    expect(sut.isExcluded('.env')).toBe(true);
    expect(sut.isExcluded('node_modules/x/index.js')).toBe(true);
    expect(sut.isExcluded('models/bench-large/model.onnx')).toBe(true);
    expect(sut.isExcluded('src/a/b.spec.ts')).toBe(true);
  });
});
