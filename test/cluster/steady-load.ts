import { Agent, request } from 'node:http';

export interface LoadTally {
  readonly sent: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<number, number>>;
  /** Requests that got no answer, by error code (ECONNRESET, timeout, …). */
  readonly errors: Readonly<Record<string, number>>;
}

export interface SteadyLoadOptions {
  /** Clients, each sending one request after another on its own keep-alive connection. */
  readonly clients?: number;
  readonly path?: string;
  /** Body of request `n` (POST); a GET when unset. */
  readonly body?: (n: number) => unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** A request unanswered this long counts as a timeout. */
  readonly requestTimeoutMs?: number;
  /** The load stops itself after this long, whatever the test does. */
  readonly maxDurationMs?: number;
}

/**
 * Keep-alive clients sending back to back through one address (127.0.0.1 only) until
 * `stop()`, tallying every outcome. Progress is observable (`sent`), so a test waits for
 * "N more requests went through" instead of sleeping.
 */
export class SteadyLoad {
  private readonly agent: Agent;
  private readonly statuses: Record<number, number> = {};
  private readonly errors: Record<string, number> = {};
  private sent = 0;
  private stopped = false;
  private readonly loops: Promise<void>[];
  private readonly failures: string[] = [];
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly baseUrl: string,
    private readonly options: SteadyLoadOptions = {},
  ) {
    const clients = options.clients ?? 16;
    this.agent = new Agent({ keepAlive: true, maxSockets: clients });
    this.deadline = setTimeout(() => (this.stopped = true), options.maxDurationMs ?? 120_000);
    this.deadline.unref();
    this.loops = Array.from({ length: clients }, () => this.loop());
  }

  get count(): number {
    return this.sent;
  }

  /** Resolves once `more` further requests have been answered or failed. */
  async waitForMore(more: number): Promise<void> {
    const target = this.sent + more;
    while (this.sent < target) {
      if (this.stopped) throw new Error('the load stopped before enough requests went through');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<LoadTally> {
    this.stopped = true;
    clearTimeout(this.deadline);
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.tally();
  }

  tally(): LoadTally {
    return { sent: this.sent, statuses: { ...this.statuses }, errors: { ...this.errors } };
  }

  /** A few failed requests, described, for the assertion message. */
  failureSamples(): readonly string[] {
    return this.failures.slice(0, 10);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const n = this.sent;
      const outcome = await this.send(n);
      this.sent += 1;
      if (typeof outcome === 'number') {
        this.statuses[outcome] = (this.statuses[outcome] ?? 0) + 1;
        if (outcome >= 500) this.failures.push(`request ${n}: HTTP ${outcome}`);
      } else {
        this.errors[outcome] = (this.errors[outcome] ?? 0) + 1;
        this.failures.push(`request ${n}: ${outcome}`);
      }
    }
  }

  private send(n: number): Promise<number | string> {
    const body = this.options.body === undefined ? undefined : JSON.stringify(this.options.body(n));
    return new Promise((resolve) => {
      const req = request(
        `${this.baseUrl}${this.options.path ?? '/classify'}`,
        {
          agent: this.agent,
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...this.options.headers,
          },
          timeout: this.options.requestTimeoutMs ?? 10_000,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let head = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (status >= 500 && head.length < 120) head += chunk;
          });
          res.on('end', () => {
            // Whose 5xx it was (HAProxy's HTML page or Sift's JSON) is in the sample.
            if (status >= 500) this.failures.push(`HTTP ${status} body: ${head.slice(0, 120)}`);
            resolve(status);
          });
          res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end(body);
    });
  }
}

/** True when nothing failed: no 5xx, no connection error, no timeout. */
export function noFailures(tally: LoadTally): boolean {
  return (
    Object.keys(tally.errors).length === 0 &&
    Object.keys(tally.statuses).every((status) => Number(status) < 500)
  );
}
