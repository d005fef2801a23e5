import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../../src/modules/inference';
import { commitId, spamRepoFiles } from '../fixtures/hub-fixtures';
import { HubStandIn } from '../helpers/hub-stand-in';
import { REPO_ROOT, startTestApp } from '../helpers/test-app';

const MAIN = commitId('main');

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

describe('npm run models:pull', () => {
  let hub: HubStandIn;
  const work = mkdtempSync(join(tmpdir(), 'sift-models-pull-'));
  const modelsDir = join(work, 'models');

  /** Runs the CLI without blocking: the stand-in answering it lives in this process. */
  function pull(...args: string[]): Promise<{ status: number | null; output: string }> {
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, ['tools/models-pull.ts', ...args], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HF_ENDPOINT: hub.url,
        HF_HUB_CACHE: join(work, 'cache'),
        MODELS_DIR: modelsDir,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((done) => child.on('close', (status) => done({ status, output })));
  }

  beforeAll(async () => {
    hub = await HubStandIn.start();
    const files = spamRepoFiles();
    files.set('onnx/model_quantized.onnx', files.get('onnx/model.onnx') as Buffer);
    hub.repos.set('acme/spam-mini', { files, revisions: { main: MAIN } });
  });

  afterAll(async () => {
    await hub.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('writes a plain folder with its source that the server then serves and reports', async () => {
    const { status, output } = await pull('acme/spam-mini', '--name', 'pulled');
    expect(output).toContain(`acme/spam-mini@main (commit ${MAIN}) written to`);
    expect(status).toBe(0);
    const dir = join(modelsDir, 'pulled');
    expect(filesUnder(dir).sort()).toEqual([
      'config.json',
      'onnx/model.onnx',
      'source.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    const source = { repo: 'acme/spam-mini', revision: 'main', commit: MAIN };
    expect(JSON.parse(readFileSync(join(dir, 'source.json'), 'utf8'))).toEqual(source);
    expect(hub.requested('model.safetensors')).toEqual([]);
    expect(hub.requested('pytorch_model.bin')).toEqual([]);

    const app = await startTestApp({ MODELS_DIR: modelsDir, MODELS: '' });
    try {
      const { models } = (await app.inject({ method: 'GET', url: '/models' })).json<{
        models: ModelInfo[];
      }>();
      expect(models).toEqual([expect.objectContaining({ name: 'pulled', source })]);
    } finally {
      await app.close();
    }
  });

  it('writes only the quantized graph with --dtype q8 and says how to serve it', async () => {
    const { status, output } = await pull('acme/spam-mini', '--name', 'pulled-q8', '--dtype', 'q8');
    expect(status).toBe(0);
    expect(output).toContain('serve it with MODEL_DTYPE=pulled-q8:q8');
    const files = filesUnder(join(modelsDir, 'pulled-q8'));
    expect(files).toContain('onnx/model_quantized.onnx');
    expect(files).not.toContain('onnx/model.onnx');
  });

  it('fails with the one-line Hub error and writes nothing', async () => {
    const { status, output } = await pull('acme/missing');
    expect(status).toBe(1);
    expect(output.trim()).toBe(
      `acme/missing@main: no repository acme/missing on ${hub.url}; check the id in MODEL_ID (org/repo)`,
    );
    expect(readdirSync(modelsDir).sort()).toEqual(['pulled', 'pulled-q8']);
  });
});
