import { createClient, type RedisClientOptions } from '@redis/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../helpers/processes';

export { freePort, waitFor };

/**
 * The bound on the waits of the Redis specs: servers, sentinels and apps start side by side on
 * a machine that other test runs share, so a wait that normally takes a second can take far
 * longer. It bounds a wait for a condition, never a measured duration.
 */
export const PATIENCE_MS = 60_000;

/** A scratch directory for a spec's configs and certificates, removed by `dispose()`. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'sift-redis-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string): string {
    const path = this.path(name);
    writeFileSync(path, text);
    return path;
  }

  read(path: string): Buffer {
    return readFileSync(path);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One redis-server (or, with `--sentinel`, a sentinel) on 127.0.0.1, configured by a file of
 * its own, so several can run side by side and a test can SIGKILL one. `ready` is how the test
 * connects to it to know it is up (a TLS server needs the test's certificates).
 */
export class RedisProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly configFile: string,
    private readonly args: readonly string[] = [],
    private readonly clientOptions: RedisClientOptions = {},
  ) {}

  async start(): Promise<void> {
    this.child = spawn('redis-server', [this.configFile, ...this.args], { stdio: 'ignore' });
    await waitFor(() => this.answers(), `redis-server on port ${this.port}`, 30_000);
  }

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** A client of the test's own (no reconnection), for assertions and set-up commands. */
  async connect(): Promise<ReturnType<typeof createClient>> {
    const client = createClient({
      ...this.clientOptions,
      socket: {
        ...this.clientOptions.socket,
        host: '127.0.0.1',
        port: this.port,
        reconnectStrategy: false,
      },
    });
    client.on('error', () => undefined); // a server the test killed
    await client.connect();
    return client;
  }

  /** SIGKILL, like a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * SIGSTOP, like a server that hangs: its sockets stay open and the kernel still takes the
   * bytes sent to them, but nothing is answered. `kill()` ends a paused server too.
   */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  private async answers(): Promise<boolean> {
    try {
      const client = await this.connect();
      try {
        return (await client.ping()) === 'PONG';
      } finally {
        client.destroy();
      }
    } catch {
      return false; // not accepting connections yet
    }
  }
}

/** The lines every test server's config starts with: no persistence, loopback only. */
export function baseConfig(port: number, dir: string): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'save ""',
    'appendonly no',
    `dir ${dir}`,
    'protected-mode no',
  ].join('\n');
}

/** Kills every process, even when some kill fails, so no server outlives its spec. */
export async function killAll(processes: ReadonlyArray<RedisProcess | undefined>): Promise<void> {
  await Promise.allSettled(
    processes.map((server) => (server === undefined ? Promise.resolve() : server.kill())),
  );
}
