import { createClient } from '@redis/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { PredictionCache } from '../../src/modules/cache/prediction-cache.service';
import { predictionKey } from '../../src/modules/cache/prediction-key';
import type { TestApp } from '../helpers/test-app';

/** Test clients give up at once instead of reconnecting to a Redis a test killed. */
function newClient(url: string) {
  return createClient({ url, socket: { reconnectStrategy: false } });
}

export type TestRedisClient = ReturnType<typeof newClient>;

/** A client of its own for assertions, on the database a spec file owns. */
export async function connectTestRedis(url: string): Promise<TestRedisClient> {
  const client = newClient(url);
  // Without a listener an 'error' event (e.g. from a Redis the test killed) would be thrown.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Never a timed assertion. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function cacheOf(testApp: TestApp): PredictionCache {
  return testApp.app.get(PredictionCache);
}

/** The key the app uses for `text` under its default model. */
export function keyOf(testApp: TestApp, text: string): string {
  return predictionKey(testApp.inference.resolveModel(), text);
}

/** Waits until the app's connection to Redis is ready, so the first request can use it. */
export function waitForRedisUp(testApp: TestApp): Promise<void> {
  return waitFor(() => cacheOf(testApp).status().redis === 'up', 'the Redis tier to be up');
}

/** Waits until the write-behind of `text` has reached Redis. */
export function waitForRedisEntry(
  testApp: TestApp,
  redis: TestRedisClient,
  text: string,
): Promise<void> {
  return waitFor(
    async () => (await redis.exists(keyOf(testApp, text))) === 1,
    `the entry of "${text}"`,
  );
}

export async function classify(
  testApp: TestApp,
  text: string,
  extra: Record<string, unknown> = {},
) {
  return testApp.inject({ method: 'POST', url: '/classify', payload: { text, ...extra } });
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** A throwaway redis-server the test may kill: never the shared one on 6379. */
export class DisposableRedis {
  private process: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => {
      const client = newClient(this.url);
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        // Not accepting connections yet: poll again.
        return false;
      } finally {
        if (client.isOpen) client.destroy();
      }
    }, `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the server vanishes mid-command, as in a crash. */
  async kill(): Promise<void> {
    const running = this.process;
    this.process = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  }
}
