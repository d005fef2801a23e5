import { ModelsSandbox } from '../fixtures/model-fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { ADMIN_API_KEY, loadModel, repositoryIndex, writeSpamVersion } from './versioned-models';

interface Outcome {
  readonly status: number;
  readonly version: string | undefined;
  readonly label: string | undefined;
  /** Content hashes serving when the request was sent, and when its answer came. */
  readonly servingAtStart: readonly string[];
  readonly servingAtEnd: readonly string[];
  /** Reloads finished before the request was sent. */
  readonly reloadsBefore: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

const CLIENTS = 16;

/**
 * Steady traffic over real HTTP while spam-en is reloaded three times, once with a broken
 * version. Correctness only: no assertion depends on how fast this machine is.
 */
describe('reloading a model under steady load', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    writeSpamVersion(sandbox, 1);
    sut = await startTestApp(
      { MODELS_DIR: sandbox.dir, MODELS: 'spam-en', ADMIN_API_KEY, CACHE_ENABLED: 'false' },
      { listen: true },
    );
  });
  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  const serving = () => sut.inference.servingVersions('spam-en').map((m) => m.version);

  it('answers every request with 2xx from a version that was serving, broken load included', async () => {
    const outcomes: Outcome[] = [];
    let reloads = 0;
    let stop = false;
    let sent = 0;
    const client = async () => {
      while (!stop) {
        const servingAtStart = serving();
        const reloadsBefore = reloads;
        const startedAt = performance.now();
        // A new text each time: every request runs the model instead of the cache.
        const text = `Reply STOP to claim your prize number ${sent++}`;
        const response = await fetch(`${sut.baseUrl}/classify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
        const body = (await response.json()) as { model_version?: string; label?: string };
        outcomes.push({
          status: response.status,
          version: body.model_version,
          label: body.label,
          servingAtStart,
          servingAtEnd: serving(),
          reloadsBefore,
          startedAt,
          endedAt: performance.now(),
        });
      }
    };
    /** Lets traffic run on for `count` more answers (never a duration: machines differ). */
    const answers = async (count: number) => {
      const target = outcomes.length + count;
      while (outcomes.length < target) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const loaded: string[] = [serving()[0]];
    const clients = Array.from({ length: CLIENTS }, client);

    await answers(200);
    writeSpamVersion(sandbox, 2, { note: 'two' });
    expect((await loadModel(sut, 'spam-en')).statusCode).toBe(200);
    loaded.push(serving()[0]);
    reloads++;

    await answers(200);
    writeSpamVersion(sandbox, 3, { broken: true });
    const broken = await loadModel(sut, 'spam-en');
    expect(broken.statusCode).toBe(400);
    expect(broken.json<{ error: string }>().error).toMatch(/version 3: .*model\.onnx/);
    const afterBroken = await repositoryIndex(sut);
    expect(afterBroken.find((row) => row.version === '3')).toMatchObject({
      state: 'UNAVAILABLE',
      reason: expect.stringMatching(/model\.onnx/) as unknown,
    });
    expect(afterBroken.find((row) => row.version === '2')).toMatchObject({ state: 'READY' });
    reloads++;

    await answers(200);
    writeSpamVersion(sandbox, 4, { note: 'four' });
    expect((await loadModel(sut, 'spam-en')).statusCode).toBe(200);
    loaded.push(serving()[0]);
    reloads++;

    await answers(200);
    stop = true;
    await Promise.all(clients);

    const failures = outcomes.filter((outcome) => outcome.status < 200 || outcome.status > 299);
    expect(failures).toEqual([]);
    expect(new Set(loaded).size).toBe(3);
    for (const outcome of outcomes) {
      // The answering version served when the request was sent or when it was answered
      // (a request resolved on the old version finishes on it after the swap).
      expect([...outcome.servingAtStart, ...outcome.servingAtEnd]).toContain(outcome.version);
      expect(['ham', 'spam']).toContain(outcome.label);
    }
    // Once a reload has answered, new requests go to the version it loaded or a later one
    // (the broken load changed nothing).
    const oldestAllowed = [0, 1, 1, 2];
    for (const outcome of outcomes) {
      expect(loaded.indexOf(outcome.version!)).toBeGreaterThanOrEqual(
        oldestAllowed[outcome.reloadsBefore],
      );
    }
    const index = await repositoryIndex(sut);
    expect(index.find((row) => row.version === '4')).toMatchObject({ state: 'READY' });
    const seconds = (outcomes.at(-1)!.endedAt - outcomes[0].startedAt) / 1000;
    // Reported, not asserted: how much traffic this machine carried through the reloads.
    process.stdout.write(
      `reload under load: ${outcomes.length} requests in ${seconds.toFixed(1)} s (${(outcomes.length / seconds).toFixed(0)} req/s), ${CLIENTS} clients\n`,
    );
  });
});
