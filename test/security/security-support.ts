import { createClient } from '@redis/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import type { TestApp } from '../helpers/test-app';

/** Polls until `condition` holds; throws after `timeoutMs`. A wait, never a timed assertion. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
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

/** A redis-server of the test's own, so it can be killed without touching the shared one. */
export class DisposableRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await freePort());
    redis.child = spawn(
      'redis-server',
      ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(async () => {
      const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false; // not accepting connections yet
      } finally {
        if (client.isOpen) client.destroy();
      }
    }, `redis-server on port ${redis.port}`);
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL, like a crash: the server vanishes between two commands. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

/** Every refusal, whatever produced it, must look like this. */
export function expectUniformError(response: InjectResponse): void {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json()).toEqual(
    expect.objectContaining({
      statusCode: response.statusCode,
      error: expect.any(String),
      message: expect.stringMatching(/\S/),
      requestId: expect.stringMatching(/\S/),
    }),
  );
}

export function classifyFrom(
  sut: TestApp,
  remoteAddress: string,
  extra: Partial<InjectOptions> = {},
): Promise<InjectResponse> {
  return sut.inject({
    method: 'POST',
    url: '/classify',
    payload: { text: 'limited offer, click here' },
    remoteAddress,
    ...extra,
  });
}
