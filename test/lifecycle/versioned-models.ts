import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelsSandbox } from '../fixtures/model-fixtures';
import { SHIPPED_MODELS_DIR, type TestApp } from '../helpers/test-app';

export const ADMIN_API_KEY = 'lifecycle-admin-key-for-tests-0123456789';
export const ADMIN = { 'x-api-key': ADMIN_API_KEY };

/**
 * Writes `<sandbox>/spam-en/<version>/` as a copy of the shipped spam-en. `note` adds a file,
 * so the copy gets its own content hash with the same outputs; `swapLabels` reverses the
 * labels, so its answers differ from the original's for every text.
 */
export function writeSpamVersion(
  sandbox: ModelsSandbox,
  version: number,
  options: { note?: string; swapLabels?: boolean; broken?: boolean } = {},
): string {
  const dir = join(sandbox.dir, 'spam-en', String(version));
  mkdirSync(join(sandbox.dir, 'spam-en'), { recursive: true });
  cpSync(join(SHIPPED_MODELS_DIR, 'spam-en'), dir, { recursive: true });
  if (options.note !== undefined) writeFileSync(join(dir, 'NOTE.txt'), options.note);
  if (options.swapLabels === true) {
    const path = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    config.id2label = { '0': 'spam', '1': 'ham' };
    config.label2id = { spam: 0, ham: 1 };
    writeFileSync(path, JSON.stringify(config));
  }
  if (options.broken === true) {
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'this is not an ONNX graph');
  }
  return dir;
}

export function writePolicy(sandbox: ModelsSandbox, policy: unknown): void {
  writeFileSync(join(sandbox.dir, 'spam-en', 'sift.json'), JSON.stringify(policy));
}

export interface IndexRow {
  readonly name: string;
  readonly version?: string;
  readonly content_hash?: string;
  readonly state: string;
  readonly reason: string;
}

export async function repositoryIndex(sut: TestApp): Promise<IndexRow[]> {
  const response = await sut.inject({
    method: 'POST',
    url: '/v2/repository/index',
    headers: ADMIN,
    payload: {},
  });
  if (response.statusCode !== 200) throw new Error(`index answered ${response.statusCode}`);
  return response.json<IndexRow[]>();
}

export function loadModel(sut: TestApp, name: string, payload: unknown = {}) {
  return sut.inject({
    method: 'POST',
    url: `/v2/repository/models/${name}/load`,
    headers: ADMIN,
    payload: payload as Record<string, unknown>,
  });
}

export function unloadModel(sut: TestApp, name: string) {
  return sut.inject({
    method: 'POST',
    url: `/v2/repository/models/${name}/unload`,
    headers: ADMIN,
    payload: {},
  });
}
