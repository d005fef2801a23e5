import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../../src/modules/inference';
import { RepositoryPoller } from '../../src/modules/inference/repository/repository-poller';
import {
  commitId,
  DECOYS,
  hubEnv,
  spamRepoFiles,
  withExternalData,
} from '../fixtures/hub-fixtures';
import { HubStandIn } from '../helpers/hub-stand-in';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const MAIN = commitId('main');
const V1 = commitId('v1');
const SPAM = 'WINNER!! Claim your FREE prize now, click here to collect your cash reward';

async function models(app: TestApp): Promise<ModelInfo[]> {
  return (await app.inject({ method: 'GET', url: '/models' })).json<{ models: ModelInfo[] }>()
    .models;
}

async function label(app: TestApp, model: string): Promise<string> {
  const response = await postJson(app, '/classify', { text: SPAM, model });
  expect(response.statusCode).toBe(200);
  return response.json<{ label: string }>().label;
}

describe('a Hub model served by MODEL_ID', () => {
  let hub: HubStandIn;
  const cacheDir = mkdtempSync(join(tmpdir(), 'sift-hub-cache-'));
  const start = (ids: string, extra: Record<string, string> = {}) =>
    startTestApp(hubEnv(hub.url, cacheDir, ids, { CACHE_ENABLED: 'false', ...extra }));

  beforeAll(async () => {
    hub = await HubStandIn.start();
    hub.repos.set('acme/spam-mini', { files: spamRepoFiles(), revisions: { main: MAIN, v1: V1 } });
    const q8 = spamRepoFiles();
    q8.set('onnx/model_quantized.onnx', q8.get('onnx/model.onnx') as Buffer);
    hub.repos.set('acme/spam-q8', { files: q8, revisions: { main: MAIN } });
    const external = spamRepoFiles();
    const [graph, data] = withExternalData(
      external.get('onnx/model.onnx') as Buffer,
      'model.onnx_data',
    );
    external.set('onnx/model.onnx', graph).set('onnx/model.onnx_data', data);
    hub.repos.set('acme/spam-external', { files: external, revisions: { main: MAIN } });
  });

  afterAll(async () => {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('fetches only the config, tokenizer files and graph, pins the commit and classifies', async () => {
    const app = await start('acme/spam-mini');
    try {
      const [info] = await models(app);
      expect(info).toMatchObject({
        name: 'spam-mini',
        dtype: 'fp32',
        source: { repo: 'acme/spam-mini', revision: 'main', commit: MAIN },
      });
      expect(await label(app, 'spam-mini')).toBe('spam');
    } finally {
      await app.close();
    }
    const fetched = hub.requests
      .filter((line) => line.includes('/resolve/'))
      .map((l) => l.split(`/${MAIN}/`)[1]);
    // Each file twice: the client's size probe (Range: bytes=0-0), then the download.
    expect([...new Set(fetched)].sort()).toEqual([
      'config.json',
      'onnx/model.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    for (const decoy of [...DECOYS, 'README.md']) expect(hub.requested(decoy)).toEqual([]);
    // The layout huggingface_hub and transformers.js read: refs, snapshots linking to blobs.
    const repoDir = join(cacheDir, 'models--acme--spam-mini');
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8')).toBe(MAIN);
    const graph = join(repoDir, 'snapshots', MAIN, 'onnx', 'model.onnx');
    expect(lstatSync(graph).isSymbolicLink()).toBe(true);
    expect(readlinkSync(graph)).toMatch(/^\.\.\/\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
  });

  it('serves a revision under a chosen name, the commit part of its version', async () => {
    const app = await start('old=acme/spam-mini@v1,acme/spam-mini');
    try {
      const served = await models(app);
      const old = served.find((model) => model.name === 'old');
      const current = served.find((model) => model.name === 'spam-mini');
      expect(old?.source).toEqual({ repo: 'acme/spam-mini', revision: 'v1', commit: V1 });
      expect(current?.source?.commit).toBe(MAIN);
      // The same bytes at two commits: two versions, so cached predictions never cross.
      expect(old?.version).not.toBe(current?.version);
      expect(await label(app, 'old')).toBe('spam');
    } finally {
      await app.close();
    }
  });

  it('is not reloaded by the repository poller when only unhashed files change', async () => {
    const app = await start('acme/spam-mini', { MODEL_POLL_SECONDS: '1' });
    const scan = RepositoryPoller.prototype.scan;
    try {
      const served = app.inference.resolveModel('spam-mini');
      // A file that changes the folder's fingerprint but not what is served (notes are not
      // hashed): the poller must hash as the load did (graph and commit) and keep the model.
      const notes = join(cacheDir, 'models--acme--spam-mini', 'snapshots', MAIN, 'notes.md');
      writeFileSync(notes, 'local notes');
      // Two scans begun after the write: the first records the snapshot's files, the second
      // finds them settled.
      const scans: Promise<void>[] = [];
      const twoScans = new Promise<void>((resolve) => {
        jest.spyOn(RepositoryPoller.prototype, 'scan').mockImplementation(function (
          this: RepositoryPoller,
        ) {
          const scanning = scan.call(this);
          scans.push(scanning);
          if (scans.length === 2) void scanning.then(() => resolve());
          return scanning;
        });
      });
      await twoScans;
      expect(app.inference.resolveModel('spam-mini')).toBe(served);
      rmSync(notes);
    } finally {
      jest.restoreAllMocks();
      await app.close();
    }
  });

  it('serves the quantized graph alone with MODEL_DTYPE=q8', async () => {
    const app = await start('acme/spam-q8', { MODEL_DTYPE: 'q8' });
    try {
      expect((await models(app))[0]).toMatchObject({ name: 'spam-q8', dtype: 'q8' });
    } finally {
      await app.close();
    }
    expect(hub.requested('onnx/model_quantized.onnx')).toHaveLength(2);
    expect(
      hub.requests.filter(
        (line) =>
          line.startsWith('GET /acme/spam-q8/resolve/') && line.endsWith('/onnx/model.onnx'),
      ),
    ).toEqual([]);
  });

  it("fetches a graph's external data file and serves it", async () => {
    const app = await start('acme/spam-external');
    try {
      expect(await label(app, 'spam-external')).toBe('spam');
    } finally {
      await app.close();
    }
    expect(hub.requested('onnx/model.onnx_data').length).toBeGreaterThan(0);
  });

  it('serves from the cache alone with HF_HUB_OFFLINE=1, asking the Hub nothing', async () => {
    const before = hub.requests.length;
    const app = await start('acme/spam-mini', { HF_HUB_OFFLINE: '1' });
    try {
      expect((await models(app))[0].source?.commit).toBe(MAIN);
    } finally {
      await app.close();
    }
    expect(hub.requests.length).toBe(before);
  });

  it('serves a complete cached copy with a warning when the Hub cannot be reached', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const closed = await HubStandIn.start();
    await closed.close();
    const app = await startTestApp(
      hubEnv(closed.url, cacheDir, 'acme/spam-mini', { CACHE_ENABLED: 'false' }),
    );
    try {
      expect(await label(app, 'spam-mini')).toBe('spam');
      expect(warn.mock.calls.map(([message]) => String(message))).toContainEqual(
        expect.stringMatching(/from the cache: .* cannot be reached \(ECONNREFUSED\)/),
      );
    } finally {
      warn.mockRestore();
      await app.close();
    }
  });
});
