import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptDownloadError, hubCacheDir, HubRepoCache } from './hub-cache';
import type { HubFile } from './hub-files';

const COMMIT = 'c'.repeat(40);
const BYTES = Buffer.from('{"architectures": ["BertForSequenceClassification"]}');
const FILE: HubFile = {
  path: 'onnx/model.onnx',
  size: BYTES.length,
  oid: 'unused-for-lfs',
  sha256: createHash('sha256').update(BYTES).digest('hex'),
};

function body(chunks: Buffer[], failAfter?: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (failAfter !== undefined && sent === failAfter) {
        controller.error(new Error('connection reset'));
        return;
      }
      const next = chunks[sent++];
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

describe(HubRepoCache.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'sift-hub-cache-spec-'));
  const sut = new HubRepoCache(root, 'acme/m');
  const blobs = () => readdirSync(join(sut.dir, 'blobs'));

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('leaves neither blob nor link when a download is cut off', async () => {
    const halves = [BYTES.subarray(0, 10), BYTES.subarray(10)];
    await expect(sut.store(COMMIT, FILE, body(halves, 1))).rejects.toThrow('connection reset');
    expect(blobs()).toEqual([]);
    expect(existsSync(join(sut.snapshotDir(COMMIT), FILE.path))).toBe(false);
  });

  it('refuses bytes whose sha256 differs, and keeps those that match', async () => {
    const tampered = Buffer.from(BYTES);
    tampered[0] ^= 1;
    await expect(sut.store(COMMIT, FILE, body([tampered]))).rejects.toThrow(CorruptDownloadError);
    expect(blobs()).toEqual([]);
    await sut.store(COMMIT, FILE, body([BYTES]));
    expect(blobs()).toEqual([FILE.sha256]);
    expect(await sut.hasChecked(COMMIT, FILE)).toBe(true);
  });

  it('drops a cached blob whose bytes changed on disk, so it is fetched again', async () => {
    const blob = join(sut.dir, 'blobs', FILE.sha256 as string);
    writeFileSync(blob, Buffer.alloc(BYTES.length));
    expect(await sut.hasChecked(COMMIT, FILE)).toBe(false);
    expect(existsSync(blob)).toBe(false);
  });

  it('resolves the cache folder as huggingface_hub does', () => {
    const none = { HF_HUB_CACHE: undefined, HF_HOME: undefined, XDG_CACHE_HOME: undefined };
    expect(hubCacheDir({ ...none, HF_HUB_CACHE: '/c', HF_HOME: '/h', XDG_CACHE_HOME: '/x' })).toBe(
      '/c',
    );
    expect(hubCacheDir({ ...none, HF_HOME: '/h', XDG_CACHE_HOME: '/x' })).toBe('/h/hub');
    expect(hubCacheDir({ ...none, XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
    expect(hubCacheDir(none)).toBe(join(homedir(), '.cache', 'huggingface', 'hub'));
    expect(hubCacheDir({ ...none, HF_HOME: '~/hf' })).toBe(join(homedir(), 'hf', 'hub'));
    expect(hubCacheDir({ ...none, HF_HUB_CACHE: '~' })).toBe(homedir());
  });
});
