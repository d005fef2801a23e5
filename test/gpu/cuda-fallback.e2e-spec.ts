import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuild } from '../helpers/processes';
import { SHIPPED_MODELS_DIR, startTestApp } from '../helpers/test-app';
import { runGpuInstall, StagedApp, startStagedServer, type RunningServer } from './gpu-stage';

// These tests are about hosts without an NVIDIA GPU (every developer machine and CI here);
// on a GPU host the CUDA provider may load, and scripts/gpu-run.sh checks that case instead.
const describeWithoutGpu = existsSync('/dev/nvidiactl') ? describe.skip : describe;

const MODELS = ['spam-en', 'lang-id'];
const TEXTS = [
  'CONGRATULATIONS! You have won a FREE cruise, click here to claim your prize now!!!',
  'Hi Tom, are we still meeting for lunch on Thursday? I can bring the project notes.',
  'Le chat dort sur le canapé depuis ce matin.',
];
const SERVER_ENV = {
  MODELS_DIR: SHIPPED_MODELS_DIR,
  MODELS: MODELS.join(','),
  EXECUTION_PROVIDERS: 'cuda,cpu',
  INFERENCE_WORKERS: '1',
  LOG_LEVEL: 'warn',
  RATE_LIMIT: '0',
  CACHE_ENABLED: 'false',
  REDIS_URL: '',
};

interface Result {
  readonly label: string;
  readonly scores: Record<string, number>;
}

async function classify(baseUrl: string, model: string): Promise<Result[]> {
  const response = await fetch(`${baseUrl}/classify/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, texts: TEXTS }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: Result[] }).results;
}

/** What the same models answer on the CPU provider alone, in this (Jest) process. */
async function cpuReference(): Promise<Map<string, Result[]>> {
  const app = await startTestApp({ MODELS: MODELS.join(','), CACHE_ENABLED: 'false' });
  try {
    const reference = new Map<string, Result[]>();
    for (const model of MODELS) {
      const response = await app.inject({
        method: 'POST',
        url: '/classify/batch',
        payload: { model, texts: TEXTS },
      });
      reference.set(model, response.json<{ results: Result[] }>().results);
    }
    return reference;
  } finally {
    await app.close();
  }
}

/** The messages of Sift's warnings that a model fell back to the CPU provider. */
function fallbackWarnings(server: RunningServer): string[] {
  return (
    server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      // pino's JSON lines: level 40 is warn.
      .map((line) => JSON.parse(line) as { level?: number; msg?: string })
      .filter((entry) => entry.level === 40)
      .map((entry) => entry.msg ?? '')
      .filter((message) => message.includes('falling back to the "cpu" execution provider'))
  );
}

/** Exactly one fallback warning per model, each saying every one of `phrases`. */
function expectOneWarningPerModel(server: RunningServer, phrases: readonly string[]): void {
  const warnings = fallbackWarnings(server);
  expect(warnings).toHaveLength(MODELS.length);
  for (const model of MODELS) {
    expect(warnings.filter((line) => line.includes(join(SHIPPED_MODELS_DIR, model)))).toHaveLength(
      1,
    );
  }
  for (const warning of warnings) {
    for (const phrase of phrases) expect(warning).toContain(phrase);
  }
}

async function expectServedOnCpuLikeReference(
  server: RunningServer,
  reference: Map<string, Result[]>,
): Promise<void> {
  const listed = (await (await fetch(`${server.baseUrl}/models`)).json()) as {
    models: { name: string; provider: string }[];
  };
  expect(listed.models.map(({ name, provider }) => ({ name, provider }))).toEqual(
    MODELS.map((name) => ({ name, provider: 'cpu' })),
  );
  for (const model of MODELS) {
    const served = await classify(server.baseUrl, model);
    const expected = reference.get(model) ?? [];
    expect(served.map((result) => result.label)).toEqual(expected.map((result) => result.label));
    served.forEach((result, index) => {
      for (const [label, score] of Object.entries(expected[index].scores)) {
        expect(Math.abs(result.scores[label] - score)).toBeLessThan(1e-5);
      }
    });
  }
}

describeWithoutGpu('EXECUTION_PROVIDERS=cuda,cpu on a host without a GPU', () => {
  let reference: Map<string, Result[]>;

  beforeAll(async () => {
    ensureBuild();
    reference = await cpuReference();
  }, 300_000);

  describe('without the CUDA provider libraries (a plain npm ci)', () => {
    let staged: StagedApp;
    let server: RunningServer;

    beforeAll(async () => {
      staged = StagedApp.create();
      server = await startStagedServer(staged, SERVER_ENV);
    }, 180_000);

    afterAll(async () => {
      await server?.stop();
      staged?.remove();
    });

    it('serves every model on the CPU provider, with the answers of a CPU-only start', async () => {
      await expectServedOnCpuLikeReference(server, reference);
    });

    it('warns once per model that the provider is missing and how to install it', () => {
      expectOneWarningPerModel(server, [
        `libonnxruntime_providers_cuda.so is not installed beside ${join(staged.binaryDir, 'libonnxruntime.so.1')}: run \`npm run gpu:install\``,
      ]);
    });
  });

  describe('with the CUDA provider installed by gpu:install', () => {
    let staged: StagedApp;
    let server: RunningServer;

    beforeAll(async () => {
      staged = StagedApp.create();
      // Fetches the provider tarball with npm pack on the first run in this checkout.
      runGpuInstall(['--ort-dir', staged.ortDir]);
      server = await startStagedServer(staged, SERVER_ENV);
    }, 300_000);

    afterAll(async () => {
      await server?.stop();
      staged?.remove();
    });

    it('tried to load the installed provider: ONNX Runtime names the CUDA library it lacks', () => {
      expect(server.stderr()).toMatch(
        new RegExp(
          `Failed to load library ${join(staged.binaryDir, 'libonnxruntime_providers_cuda.so')} with error: libcu[a-zA-Z]*\\.so\\.\\d+`,
        ),
      );
    });

    it('serves every model on the CPU provider, with the answers of a CPU-only start', async () => {
      await expectServedOnCpuLikeReference(server, reference);
    });

    it('warns once per model that the provider is installed but lacks CUDA 13 and cuDNN 9', () => {
      expectOneWarningPerModel(server, [
        `libonnxruntime_providers_cuda.so is installed in ${staged.binaryDir} but did not load`,
        'CUDA 13 and cuDNN 9',
      ]);
    });
  });
});
