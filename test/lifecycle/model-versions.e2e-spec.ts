import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ModelNotFoundError } from '../../src/modules/inference';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';
import {
  ADMIN,
  ADMIN_API_KEY,
  loadModel,
  repositoryIndex,
  unloadModel,
  writePolicy,
  writeSpamVersion,
} from './versioned-models';

const SPAM = 'WINNER!! Claim your free prize now, text CLAIM to 80082';

interface Answer {
  readonly label: string;
  readonly score: number;
  readonly model_version: string;
}

async function classify(sut: TestApp, modelVersion?: string): Promise<Answer> {
  const response = await postJson(sut, '/classify', {
    text: SPAM,
    model: 'spam-en',
    ...(modelVersion === undefined ? {} : { model_version: modelVersion }),
  });
  if (response.statusCode !== 200) {
    throw new Error(`classify answered ${response.statusCode}: ${response.body}`);
  }
  return response.json<Answer>();
}

/** Waits for a condition that follows asynchronously; the bound only stops a broken test. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('never got there');
}

describe('two versions of a model served side by side', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    writeSpamVersion(sandbox, 1);
    writeSpamVersion(sandbox, 2, { swapLabels: true });
    writePolicy(sandbox, { version_policy: { all: {} } });
    sut = await startTestApp({ MODELS_DIR: sandbox.dir, MODELS: '', ADMIN_API_KEY });
  });
  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  it('answers requests pinned to each version with that version, by number or by hash', async () => {
    const [first, second] = await Promise.all([classify(sut, '1'), classify(sut, '2')]);
    // Version 2 is version 1 with its labels reversed: same probability, other label.
    expect(first.label).toBe('spam');
    expect(second.label).toBe('ham');
    expect(second.score).toBeCloseTo(first.score, 6);
    expect(first.model_version).not.toBe(second.model_version);
    expect((await classify(sut, first.model_version)).label).toBe('spam');
    expect((await classify(sut, second.model_version)).label).toBe('ham');
  });

  it('lists both versions in the KServe V2 model metadata and infers on each', async () => {
    const metadata = await sut.inject({ method: 'GET', url: '/v2/models/spam-en' });
    expect(metadata.json<{ versions: string[] }>().versions).toEqual(['1', '2']);
    const ready = await sut.inject({ method: 'GET', url: '/v2/models/spam-en/versions/1/ready' });
    expect(ready.statusCode).toBe(200);
  });

  it('answers `latest` (and no version) with the highest version', async () => {
    const latest = await classify(sut, 'latest');
    expect(latest.model_version).toBe((await classify(sut, '2')).model_version);
    expect((await classify(sut)).model_version).toBe(latest.model_version);
  });

  it('lists every version with its state in /models and /health', async () => {
    const models = (await sut.inject({ method: 'GET', url: '/models' })).json<{
      models: { name: string; versions: { version: string; state: string }[] }[];
    }>();
    const spam = models.models.find((model) => model.name === 'spam-en');
    expect(spam?.versions.map(({ version, state }) => [version, state])).toEqual([
      ['1', 'READY'],
      ['2', 'READY'],
    ]);
    const health = (await sut.inject({ method: 'GET', url: '/health' })).json<{
      models: { versions: Record<string, { version: string; state: string }[]> };
    }>();
    expect(health.models.versions['spam-en'].map((version) => version.state)).toEqual([
      'READY',
      'READY',
    ]);
  });

  it('moves `latest` to a newer version once it has loaded, and keeps pinned versions', async () => {
    writeSpamVersion(sandbox, 3, { note: 'version 3' });
    const response = await loadModel(sut, 'spam-en');
    expect(response.statusCode).toBe(200);
    const index = await repositoryIndex(sut);
    const three = index.find((row) => row.version === '3');
    expect(three?.state).toBe('READY');
    expect((await classify(sut)).model_version).toBe(three?.content_hash);
    expect((await classify(sut, '1')).label).toBe('spam');
    expect((await classify(sut, '2')).label).toBe('ham');
  });

  it('reports a broken version in the index and keeps serving the others', async () => {
    writeSpamVersion(sandbox, 4, { broken: true });
    const before = await classify(sut);
    const response = await loadModel(sut, 'spam-en', { parameters: { versions: [4] } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string }>().error).toMatch(/version 4: .*model\.onnx/);
    const four = (await repositoryIndex(sut)).find((row) => row.version === '4');
    expect(four).toMatchObject({
      state: 'UNAVAILABLE',
      reason: expect.stringMatching(/model\.onnx/),
    });
    expect((await classify(sut)).model_version).toBe(before.model_version);
    expect((await sut.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });

  it('unloads a model: its versions turn UNAVAILABLE and requests for it get a 404', async () => {
    const cacheItems = async () =>
      (await sut.inject({ method: 'GET', url: '/health' })).json<{ cache_items: number }>()
        .cache_items;
    expect(await cacheItems()).toBeGreaterThan(0);
    expect((await unloadModel(sut, 'spam-en')).statusCode).toBe(200);
    // The unloaded versions' cached predictions go with them (the only model here).
    await eventually(async () => (await cacheItems()) === 0);
    const rows = (await repositoryIndex(sut)).filter((row) => row.content_hash !== undefined);
    expect(rows).toEqual([]);
    const states = (await repositoryIndex(sut)).map((row) => [row.version, row.state, row.reason]);
    expect(states).toContainEqual(['1', 'UNAVAILABLE', 'unloaded']);
    const answer = await postJson(sut, '/classify', { text: SPAM, model: 'spam-en' });
    expect(answer.statusCode).toBe(404);
    // Loaded back from disk, it serves again (once the broken folder is gone: version_policy
    // `all` would load it too and fail).
    rmSync(join(sandbox.dir, 'spam-en', '4'), { recursive: true });
    expect((await loadModel(sut, 'spam-en')).statusCode).toBe(200);
    expect((await classify(sut)).label).toBe('spam');
  });

  it('loads a model folder not served yet, and a broken one leaves the replica ready', async () => {
    sandbox.copyShipped('spam-en', 'spam-copy');
    expect((await loadModel(sut, 'spam-copy')).statusCode).toBe(200);
    const copy = await postJson(sut, '/classify', { text: SPAM, model: 'spam-copy' });
    expect(copy.json<Answer>().label).toBe('spam');

    sandbox.copyShipped('spam-en', 'spam-broken');
    sandbox.write('spam-broken', 'onnx/model.onnx', 'not a graph');
    expect((await loadModel(sut, 'spam-broken')).statusCode).toBe(400);
    expect((await sut.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const row = (await repositoryIndex(sut)).find((entry) => entry.name === 'spam-broken');
    expect(row).toMatchObject({
      state: 'UNAVAILABLE',
      reason: expect.stringMatching(/model\.onnx/) as unknown,
    });
  });

  it('loads a folder whose name is as long as a model name may be (100 characters), not longer', async () => {
    const longest = 'm'.repeat(100);
    sandbox.copyShipped('spam-en', longest);
    sandbox.copyShipped('spam-en', `${longest}m`);
    expect((await loadModel(sut, longest)).statusCode).toBe(200);
    // With its variant suffix the name is 105 characters, past Fastify's default parameter cap.
    expect((await loadModel(sut, `${longest}@fp32`)).statusCode).toBe(200);
    // Through the service itself: the router refuses a URL parameter longer than any name.
    await expect(sut.inference.loadModel(`${longest}m`)).rejects.toThrow(ModelNotFoundError);
  });

  it('refuses the repository routes without the admin key', async () => {
    const response = await sut.inject({ method: 'POST', url: '/v2/repository/index', payload: {} });
    expect(response.statusCode).toBe(401);
    const unknown = await loadModel(sut, 'no-such-model');
    expect(unknown.statusCode).toBe(404);
    const bad = await sut.inject({
      method: 'POST',
      url: '/v2/repository/models/spam-en/load',
      headers: ADMIN,
      payload: { parameters: { versions: ['two'] } },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('MODEL_POLL_SECONDS', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    writeSpamVersion(sandbox, 1);
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'spam-en',
      ADMIN_API_KEY,
      MODEL_POLL_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  it('loads a new version, then unloads the old one, and leaves a broken one unserved', async () => {
    const first = (await classify(sut)).model_version;
    writeSpamVersion(sandbox, 2, { note: 'two' });
    await eventually(async () => (await classify(sut)).model_version !== first);
    await eventually(async () =>
      (await repositoryIndex(sut)).some(
        (row) => row.version === '1' && row.state === 'UNAVAILABLE',
      ),
    );
    const second = (await classify(sut)).model_version;

    writeSpamVersion(sandbox, 3, { broken: true });
    await eventually(async () =>
      (await repositoryIndex(sut)).some(
        (row) => row.version === '3' && row.state === 'UNAVAILABLE',
      ),
    );
    const index = await repositoryIndex(sut);
    expect(index.find((row) => row.version === '3')?.state).toBe('UNAVAILABLE');
    expect(index.find((row) => row.version === '2')?.state).toBe('READY');
    expect((await classify(sut)).model_version).toBe(second);
  });
});
