import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitId, hubEnv, spamRepoFiles } from '../fixtures/hub-fixtures';
import { HubStandIn, STAND_IN_TOKEN } from '../helpers/hub-stand-in';
import { startTestApp } from '../helpers/test-app';

const MAIN = commitId('main');

describe('a Hub model that cannot be served stops start-up with one line saying what to do', () => {
  let hub: HubStandIn;
  const cacheDir = mkdtempSync(join(tmpdir(), 'sift-hub-cache-'));

  /** The start-up error of an app serving `ids`, or 'served' when it loads. */
  async function startUp(ids: string, extra: Record<string, string> = {}): Promise<string> {
    const app = await startTestApp(hubEnv(hub.url, cacheDir, ids, extra), {
      waitForModels: false,
    });
    try {
      await app.inference.whenLoaded();
      return 'served';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await app.close();
    }
  }

  beforeAll(async () => {
    hub = await HubStandIn.start();
    const revisions = { main: MAIN };
    hub.repos.set('acme/spam-mini', { files: spamRepoFiles(), revisions });
    hub.repos.set('acme/gated', { files: spamRepoFiles(), revisions, gated: true });
    hub.repos.set('acme/private', { files: spamRepoFiles(), revisions, private: true });
    const pytorchOnly = spamRepoFiles();
    pytorchOnly.delete('onnx/model.onnx');
    hub.repos.set('acme/pytorch-only', { files: pytorchOnly, revisions });
    const corrupt = new Set(['onnx/model.onnx']);
    hub.repos.set('acme/corrupt', { files: spamRepoFiles(), revisions, corrupt });
    hub.repos.set('acme/mute', { files: spamRepoFiles(), revisions, silent: 'metadata' });
    hub.repos.set('acme/stalls', { files: spamRepoFiles(), revisions, silent: 'download' });
  });

  afterAll(async () => {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('names the id of an unknown repository', async () => {
    expect(await startUp('acme/nothing-here')).toBe(
      `acme/nothing-here@main: no repository acme/nothing-here on ${hub.url}; check the id in MODEL_ID (org/repo)`,
    );
  });

  it('names the id and revision of an unknown revision', async () => {
    expect(await startUp('acme/spam-mini@v9')).toBe(
      'acme/spam-mini@v9: acme/spam-mini has no revision "v9"; name a branch, tag or commit after @ in MODEL_ID',
    );
  });

  it('names HF_TOKEN for a gated repository, and serves it with a token', async () => {
    expect(await startUp('acme/gated')).toBe(
      `acme/gated@main is gated: accept its conditions at ${hub.url}/acme/gated and set HF_TOKEN to a token of that account`,
    );
    expect(await startUp('acme/gated', { HF_TOKEN: STAND_IN_TOKEN })).toBe('served');
  });

  it('names HF_TOKEN for a private repository', async () => {
    expect(await startUp('acme/private')).toMatch(
      /^acme\/private@main was not found or is private: .*set HF_TOKEN/,
    );
    expect(await startUp('acme/private', { HF_TOKEN: 'hf_someone_else' })).toMatch(
      /^acme\/private@main: HF_TOKEN has no access to acme\/private/,
    );
  });

  it('lists what a repository without an ONNX graph has and shows the export command', async () => {
    const message = await startUp('acme/pytorch-only');
    expect(message).toMatch(
      /^acme\/pytorch-only has no ONNX graph \(looked for onnx\/model.onnx, model.onnx; it has .*pytorch_model.bin/,
    );
    expect(message).toContain('`optimum-cli export onnx --model acme/pytorch-only <dir>`');
    expect(message).not.toContain('\n');
  });

  it('refuses bytes whose sha256 is not the one the Hub lists, leaving nothing in the cache', async () => {
    expect(await startUp('acme/corrupt')).toMatch(
      /^acme\/corrupt: onnx\/model.onnx was refused: sha256 [0-9a-f]{64} where the Hub lists [0-9a-f]{64}$/,
    );
    const blobs = readdirSync(join(cacheDir, 'models--acme--corrupt', 'blobs'));
    const graph = spamRepoFiles().get('onnx/model.onnx') as Buffer;
    expect(blobs).not.toContain(createHash('sha256').update(graph).digest('hex'));
    expect(blobs.filter((name) => name.endsWith('.incomplete'))).toEqual([]);
    expect(existsSync(join(cacheDir, 'models--acme--corrupt', 'snapshots', MAIN, 'onnx'))).toBe(
      false,
    );
  });

  it('says so when the Hub cannot be reached and nothing is cached', async () => {
    const closed = await HubStandIn.start();
    await closed.close();
    const app = await startTestApp(hubEnv(closed.url, cacheDir, 'acme/never-fetched'), {
      waitForModels: false,
    });
    await expect(app.inference.whenLoaded()).rejects.toThrow(
      `acme/never-fetched@main: ${closed.url} cannot be reached (ECONNREFUSED), and the cache at ${cacheDir} has no complete copy of it`,
    );
    await app.close();
  });

  // The stand-in never answers, so how long the limit is does not decide the outcome.
  it('gives up on a Hub that accepted the connection and went silent, naming the setting', async () => {
    expect(await startUp('acme/mute', { HF_HUB_ETAG_TIMEOUT: '0.5' })).toBe(
      `acme/mute@main: ${hub.url} did not answer for 0.5 s (HF_HUB_ETAG_TIMEOUT), and the cache at ${cacheDir} has no complete copy of it; start once with the Hub reachable to fetch it, or serve a folder written by npm run models:pull from MODELS_DIR`,
    );
  });

  it('gives up on a download that stops halfway, keeping no part of it', async () => {
    expect(await startUp('acme/stalls', { HF_HUB_DOWNLOAD_TIMEOUT: '0.5' })).toMatch(
      /^acme\/stalls@main: .* did not answer for 0.5 s \(HF_HUB_DOWNLOAD_TIMEOUT\), and the cache/,
    );
    const blobs = join(cacheDir, 'models--acme--stalls', 'blobs');
    const left = existsSync(blobs) ? readdirSync(blobs) : [];
    expect(left.filter((name) => name.endsWith('.incomplete'))).toEqual([]);
  });

  it('serves a complete cached copy when the Hub goes silent', async () => {
    const revisions = { main: MAIN };
    hub.repos.set('acme/quiet-later', { files: spamRepoFiles(), revisions });
    expect(await startUp('acme/quiet-later')).toBe('served');
    hub.repos.set('acme/quiet-later', { files: spamRepoFiles(), revisions, silent: 'metadata' });
    expect(await startUp('acme/quiet-later', { HF_HUB_ETAG_TIMEOUT: '0.5' })).toBe('served');
  });

  it('says so offline when nothing is cached', async () => {
    expect(await startUp('acme/never-fetched', { HF_HUB_OFFLINE: 'true' })).toMatch(
      /^acme\/never-fetched@main: HF_HUB_OFFLINE is set, and the cache at .* has no complete copy of it/,
    );
  });
});
