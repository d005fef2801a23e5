import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ensureBuild, freePort } from '../helpers/processes';
import { REPO_ROOT, SHIPPED_MODELS_DIR } from '../helpers/test-app';

/** Liveness, readiness and scrape routes, ours and KServe V2's. */
const PROBES = [
  '/health',
  '/ready',
  '/metrics',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/spam-en/ready',
];

interface PinoLine {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly context?: string;
  readonly route?: string;
}

/**
 * The real process, as `npm start` runs it: every line it prints, Nest's start-up lines
 * included, must be one pino JSON object, so a log shipper needs one parser.
 */
describe('the production process logs', () => {
  beforeAll(() => {
    ensureBuild();
  });

  it('as pino JSON lines only, with one "listening" line per address and no Nest format', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        MODELS_DIR: SHIPPED_MODELS_DIR,
        MODELS: 'spam-en',
        LOG_LEVEL: 'info',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      while (!output.includes('All models loaded; ready')) {
        if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const response = await fetch(`http://127.0.0.1:${port}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'lunch at noon?' }),
      });
      expect(response.status).toBe(200);
      for (const probe of PROBES) {
        expect((await fetch(`http://127.0.0.1:${port}${probe}`)).status).toBe(200);
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }

    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const parsed = lines.map((line) => JSON.parse(line) as PinoLine);
    for (const line of parsed) {
      expect(line).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
        }),
      );
    }
    expect(parsed.filter((line) => /listening/i.test(line.msg))).toEqual([
      expect.objectContaining({ msg: `Server listening at http://127.0.0.1:${port}` }),
    ]);
    expect(parsed).toContainEqual(
      expect.objectContaining({
        context: 'VersionLoader',
        msg: expect.stringMatching(/^Loaded model "spam-en"/),
      }),
    );
    expect(parsed).toContainEqual(
      expect.objectContaining({ route: '/classify', msg: 'request completed' }),
    );
    // Probes are polled every few seconds: at info level they would drown the requests.
    const probeLines = parsed.filter(
      (line) => line.msg === 'request completed' && line.route !== '/classify',
    );
    expect(probeLines).toEqual([]);
  });
});
