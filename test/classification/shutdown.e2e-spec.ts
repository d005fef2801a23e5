import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ensureBuild, freePort } from '../helpers/processes';
import { REPO_ROOT, COMBINED_MODELS_DIR } from '../helpers/test-app';

async function waitForReady(baseUrl: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/models`);
      if (response.ok && ((await response.json()) as { models: unknown[] }).models.length > 0)
        return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server never became ready');
}

/** Polls /metrics until texts wait in the bert-bench queue, so the signal lands mid-work. */
async function waitForQueuedTexts(baseUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    const depth = /^nlp_queue_depth\{model="bert-bench"\} (\d+)/m.exec(metrics);
    if (depth !== null && Number(depth[1]) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the request never reached the queue');
}

describe('graceful shutdown of the real process', () => {
  let child: ChildProcess | undefined;

  beforeAll(() => {
    ensureBuild();
  });

  afterAll(() => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });

  it('finishes queued work after SIGTERM, refuses new work, and exits 0', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['dist/main.js'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        MODELS_DIR: COMBINED_MODELS_DIR,
        MODELS: 'bert-bench',
        MAX_BATCH_SIZE: '1',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '60000',
        // Straight to closing: this test is about queued work, not the balancer's delay.
        SHUTDOWN_DELAY_MS: '0',
        REDIS_URL: '',
      },
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    await waitForReady(baseUrl, child);

    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const texts = Array.from({ length: 8 }, (_, i) => `${i} ${long}`);
    const inFlight = fetch(`${baseUrl}/classify/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ texts }),
    });
    await waitForQueuedTexts(baseUrl);
    child.kill('SIGTERM');

    const response = await inFlight;
    const body = (await response.json()) as { results?: unknown[] };
    if (response.status !== 200)
      throw new Error(`in-flight request got ${response.status}: ${JSON.stringify(body)}`);
    expect(body.results).toHaveLength(texts.length);

    const late = await fetch(`${baseUrl}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'too late' }),
    }).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);

    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
