import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const LOG_TAIL_CHARS = 8000;
const STOP_GRACE_MS = 15_000;

/** A process the harness started; its output is kept (tail only) for error messages. */
export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Everything written to stdout (the ceiling child reports its result there). */
  stdout(): string;
  /** The last few KiB of stderr and stdout, for "why did it die" messages. */
  logTail(): string;
  exited(): boolean;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
}

/**
 * Every child the harness starts goes through here, so none outlives the run: stopped in
 * order on success, and killed on errors, Ctrl-C and any other exit.
 */
export class ChildProcesses {
  private readonly live = new Set<ManagedChild>();

  constructor() {
    // 'exit' handlers must be synchronous: SIGKILL whatever is still running.
    process.on('exit', () => this.killAllNow());
  }

  start(
    name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): ManagedChild {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let out = '';
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      keep(chunk);
    });
    child.stderr.on('data', keep);
    let hasExited = false;
    const exit = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        hasExited = true;
        this.live.delete(managed);
        resolve(code);
      });
      child.once('error', () => {
        hasExited = true;
        this.live.delete(managed);
        resolve(null);
      });
    });
    const managed: ManagedChild = {
      name,
      pid: child.pid,
      process: child,
      stdout: () => out,
      logTail: () => tail,
      exited: () => hasExited,
      exit,
    };
    this.live.add(managed);
    return managed;
  }

  /** SIGTERM (Sift drains gracefully), then SIGKILL if it is still there after the grace. */
  async stop(child: ManagedChild): Promise<void> {
    if (child.exited()) return;
    child.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([child.exit, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      child.process.kill('SIGKILL');
      await child.exit;
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((child) => this.stop(child)));
  }

  killAllNow(): void {
    for (const child of this.live) child.process.kill('SIGKILL');
    this.live.clear();
  }
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; we release it for the child). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200; fails early if the child dies, and at the deadline. */
export async function waitUntilReady(
  child: ManagedChild,
  url: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exited()) {
      throw new Error(`${child.name} exited before it was ready:\n${child.logTail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `${child.name} was not ready within ${timeoutMs / 1000} s (${lastProblem}):\n${child.logTail()}`,
  );
}
