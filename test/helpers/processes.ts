import { createClient } from '@redis/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBuild, freePort } from '../../tools/cluster/local-cluster';

// The local cluster harness holds the free-port and build helpers; tests import them from here.
export { ensureBuild, freePort };

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

/**
 * A redis-server of the test's own, on a spare port, so a test can kill it (and start it again
 * on the same port) without touching the shared one on 6379.
 */
export class DisposableRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  /** Starts one on a free port. */
  static async launch(): Promise<DisposableRedis> {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(async () => {
      const client = createClient({ url: this.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false; // not accepting connections yet
      } finally {
        if (client.isOpen) client.destroy();
      }
    }, `redis-server on port ${this.port}`);
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
