import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config';
import { InferenceService } from '../../src/modules/inference';
import { COMBINED_MODELS_DIR, SHIPPED_MODELS_DIR } from '../../tools/common/model-dirs';
import { INFERENCE_WORKER_SCRIPT } from '../jest/inference-worker';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export { COMBINED_MODELS_DIR, SHIPPED_MODELS_DIR };

/**
 * Test defaults: quiet logs, only the small default model, no rate limit, no Redis. Redis
 * budgets are generous: a loaded CI machine can take longer than the production 50 ms for a
 * round trip, which would turn a hit the test expects into a miss. Tests of the budgets set
 * their own.
 */
const TEST_DEFAULTS: Readonly<Record<string, string>> = {
  // Shipped models and the generated bert-bench (global setup links them side by side).
  MODELS_DIR: COMBINED_MODELS_DIR,
  MODELS: 'spam-en',
  LOG_LEVEL: 'silent',
  RATE_LIMIT: '0',
  CACHE_TIMEOUT_MS: '5000',
  RATE_LIMIT_TIMEOUT_MS: '5000',
  INFERENCE_WORKER_SCRIPT,
};

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly inference: InferenceService;
  /** Set when started with `listen: true`: e.g. http://127.0.0.1:43127 */
  readonly baseUrl: string | undefined;
  inject(options: InjectOptions): Promise<InjectResponse>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Bind a real port on 127.0.0.1 (for load and multi-instance tests). */
  readonly listen?: boolean;
  /** Return before models finish loading (readiness tests). */
  readonly waitForModels?: boolean;
}

/** Boots the production app (same module graph and global pipeline) with the given env. */
export async function startTestApp(
  env: Readonly<Record<string, string>> = {},
  options: StartOptions = {},
): Promise<TestApp> {
  const config = loadConfig({ ...TEST_DEFAULTS, ...env });
  const app = await createApp(config);
  const inference = app.get(InferenceService);
  if (options.waitForModels !== false) await inference.whenLoaded();
  let baseUrl: string | undefined;
  if (options.listen === true) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    baseUrl = `http://127.0.0.1:${address.port}`;
  }
  return {
    app,
    config,
    inference,
    baseUrl,
    inject: (injectOptions) => app.inject(injectOptions),
    close: () => app.close(),
  };
}

/** POST helper for JSON routes. */
export function postJson(testApp: TestApp, url: string, payload: unknown): Promise<InjectResponse> {
  return testApp.inject({ method: 'POST', url, payload: payload as InjectOptions['payload'] });
}
