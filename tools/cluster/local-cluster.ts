import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { socketTempRoot } from '../common/socket-temp-dir';
import { haproxyConfig, type HealthCheckTimings } from './haproxy-config';

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));
const HAPROXY = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

/**
 * The health checks of `npm run cluster`: the numbers of k8s/base/deployment.yaml's
 * readinessProbe (test/deployment/kubernetes.spec.ts keeps them equal).
 */
export const PRODUCTION_CHECKS: HealthCheckTimings = {
  intervalMs: 2000,
  timeoutMs: 1000,
  fall: 2,
  rise: 1,
};

export interface LocalClusterOptions {
  /** Replicas behind the balancer (3 unless set). */
  readonly replicas?: number;
  /** Environment of every replica, over the process's own (REDIS_URL, MODELS, RATE_LIMIT, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** More environment for replica `index` (0-based), over `env`: replicas set up differently. */
  readonly envFor?: (index: number) => Readonly<Record<string, string>>;
  /** The balancer's port; a free one when unset. */
  readonly port?: number;
  readonly checks?: HealthCheckTimings;
  /** Where replica and balancer output goes; kept in memory (see `recentOutput`) when unset. */
  readonly output?: (source: string, line: string) => void;
}

/** Resolves with a TCP port nothing listens on right now (the OS picks it). */
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

/** GET `url`'s status, or undefined when nothing answers; never throws. */
function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Builds dist/ when it is missing or older than src/ (what `npm start` does). */
export function ensureBuild(): void {
  execFileSync(process.execPath, [join(ROOT_DIR, 'scripts', 'ensure-build.mjs')], {
    cwd: ROOT_DIR,
    stdio: 'inherit',
  });
}

export class Replica {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: (source: string, line: string) => void,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** True once the process has exited (and until `whenExited` or `stop` is awaited). */
  get hasExited(): boolean {
    return (
      this.child !== undefined && (this.child.exitCode !== null || this.child.signalCode !== null)
    );
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts `node dist/main.js` on this replica's port and resolves once `/ready` is 200. */
  async start(): Promise<void> {
    if (this.child !== undefined) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT_DIR,
      env: { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.output(this.name, line);
      });
    }
    while ((await statusOf(`${this.url}/ready`)) !== 200) {
      if (child.exitCode !== null) {
        this.child = undefined;
        throw new Error(`${this.name} exited with ${child.exitCode} before it was ready`);
      }
      await sleep(50);
    }
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (child === undefined || this.exited === undefined) return null;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const code = await this.exited;
    this.child = undefined;
    return code;
  }

  /** SIGKILL without waiting: for a harness that is itself exiting. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Sends a signal without waiting; `whenExited` tells when it is gone. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async whenExited(): Promise<number | null> {
    const code = this.exited === undefined ? null : await this.exited;
    this.child = undefined;
    return code;
  }
}

/** HAProxy's word for a server: UP, DOWN, MAINT, NOLB, … */
export type ServerState = string;

/**
 * N replicas of the production build (`node dist/main.js`) on local ports, with HAProxy in
 * front checking `/ready` the way a Kubernetes Service's endpoints follow readiness probes,
 * and whatever Redis the replicas' REDIS_URL names. `npm run cluster` and test/cluster/ both
 * drive it.
 */
export class LocalCluster {
  private haproxy: ChildProcess | undefined;
  /** Should the harness exit without `stop()` (a test run killed), nothing is left behind. */
  private readonly killAll = (): void => {
    for (const replica of this.replicas) replica.kill();
    this.haproxy?.kill('SIGKILL');
  };

  private constructor(
    readonly replicas: readonly Replica[],
    readonly port: number,
    private readonly dir: string,
    private readonly recent: string[],
  ) {
    process.once('exit', this.killAll);
  }

  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    ensureBuild();
    const count = options.replicas ?? 3;
    // HAProxy's admin socket goes in here: a long TMPDIR would not fit a socket path.
    const dir = mkdtempSync(join(socketTempRoot(), 'sift-cluster-'));
    const port = options.port ?? (await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    const replicas: Replica[] = [];
    const recent: string[] = [];
    const output = (source: string, line: string): void => {
      if (options.output !== undefined) {
        options.output(source, line);
        return;
      }
      recent.push(`${source}: ${line}`);
      if (recent.length > 200) recent.shift();
    };
    for (let index = 0; index < count; index++) {
      const own = { ...env, ...options.envFor?.(index) };
      replicas.push(new Replica(`replica-${index + 1}`, await freePort(), own, output));
    }
    const cluster = new LocalCluster(replicas, port, dir, recent);
    try {
      await Promise.all(replicas.map((replica) => replica.start()));
      await cluster.startBalancer(options.checks ?? PRODUCTION_CHECKS, output);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The balancer's address: what clients use. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last lines the replicas and HAProxy printed (when no `output` was given). */
  recentOutput(): string {
    return this.recent.join('\n');
  }

  /** HAProxy's statistics per server ("show stat" on its admin socket): status, hrsp_2xx, … */
  async serverStats(): Promise<Record<string, Readonly<Record<string, string>>>> {
    const csv = await this.adminCommand('show stat');
    const [header, ...rows] = csv.split('\n').filter((line) => line.length > 0);
    const columns = header.replace(/^# /, '').split(',');
    const stats: Record<string, Record<string, string>> = {};
    for (const row of rows) {
      const fields = row.split(',');
      const server = fields[columns.indexOf('svname')];
      if (server === 'FRONTEND' || server === 'BACKEND') continue;
      stats[server] = Object.fromEntries(columns.map((column, index) => [column, fields[index]]));
    }
    return stats;
  }

  /** Each server's state as HAProxy sees it now. */
  async serverStates(): Promise<Record<string, ServerState>> {
    const states: Record<string, ServerState> = {};
    for (const [server, stats] of Object.entries(await this.serverStats())) {
      // "DOWN 1/2" while a check is failing its way down: the first word is the state.
      states[server] = (stats.status ?? '').split(' ')[0];
    }
    return states;
  }

  /** Resolves once HAProxy reports `replica` in `state`; a wait, never a timed assertion. */
  async waitForState(replica: Replica, state: ServerState, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.serverStates())[replica.name] !== state) {
      if (Date.now() > deadline) {
        throw new Error(`HAProxy never saw ${replica.name} ${state}`);
      }
      await sleep(20);
    }
  }

  /** Stops a replica as an orchestrator would: SIGTERM, out of the balancer, then gone. */
  async drain(replica: Replica): Promise<number | null> {
    replica.signal('SIGTERM');
    await this.waitForState(replica, 'DOWN');
    return replica.whenExited();
  }

  async stop(): Promise<void> {
    process.off('exit', this.killAll);
    // SIGINT skips SHUTDOWN_DELAY_MS: nothing routes to a cluster being torn down.
    await Promise.all(this.replicas.map((replica) => replica.stop('SIGINT')));
    const haproxy = this.haproxy;
    this.haproxy = undefined;
    if (haproxy !== undefined && haproxy.exitCode === null) {
      const exited = once(haproxy, 'exit');
      haproxy.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get socketPath(): string {
    return join(this.dir, 'admin.sock');
  }

  private async startBalancer(
    checks: HealthCheckTimings,
    output: (source: string, line: string) => void,
  ): Promise<void> {
    const configPath = join(this.dir, 'haproxy.cfg');
    writeFileSync(
      configPath,
      haproxyConfig({
        port: this.port,
        socketPath: this.socketPath,
        checks,
        servers: this.replicas.map(({ name, port }) => ({ name, port })),
      }),
    );
    const child = spawn(HAPROXY, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.haproxy = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.length > 0) output('haproxy', line);
      });
    }
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`haproxy exited with ${code}`)));
    });
    const up = (async () => {
      for (;;) {
        try {
          const states = await this.serverStates();
          if (this.replicas.every(({ name }) => states[name] === 'UP')) return;
        } catch {
          // The admin socket is not there yet.
        }
        await sleep(20);
      }
    })();
    await Promise.race([up, failed]);
    failed.catch(() => undefined);
  }

  private adminCommand(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.socketPath);
      let reply = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('end', () => resolve(reply));
      socket.on('error', reject);
      socket.write(`${command}\n`);
    });
  }
}
