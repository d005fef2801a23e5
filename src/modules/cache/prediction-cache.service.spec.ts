import { jest } from '@jest/globals';
import type { CacheObserver, CacheResult, CacheTier } from '../../common/observability/observers';
import { loadConfig } from '../../config';
import type { Prediction, TextInput } from '../inference';
import { PredictionCache, type InferFn } from './prediction-cache.service';
import { predictionKey } from './prediction-key';
import { freezePrediction } from './stored-prediction';
import type {
  SharedCacheTier,
  TierEntry,
  TierHit,
  TierOutcome,
} from './tiers/cache-tier.interface';
import { MemoryTier } from './tiers/memory-tier';

const model = {
  name: 'spam-en',
  version: 'v1',
  maxSequenceLength: 128,
  config: { labels: ['ham', 'spam'] },
};

/** A deterministic fake prediction: longer texts look spammier. */
function predictionFor(input: TextInput): Prediction {
  const text = typeof input === 'string' ? input : `${input.text} ${input.pair}`;
  const spam = Math.min(0.99, text.length / 100);
  const probabilities = [1 - spam, spam];
  const best = spam > 0.5 ? 1 : 0;
  return {
    label: model.config.labels[best],
    score: probabilities[best],
    probabilities,
    logits: probabilities.map(Math.log),
    truncated: false,
  };
}

class FakeSharedTier implements SharedCacheTier {
  readonly entries = new Map<string, unknown>();
  readonly reads: string[][] = [];
  readonly writes: TierEntry[][] = [];
  readOutcome: 'ok' | 'error' | 'skipped' = 'ok';

  constructor(readonly name: CacheTier) {}

  getMany(keys: readonly string[]): Promise<TierOutcome<ReadonlyArray<TierHit | undefined>>> {
    this.reads.push([...keys]);
    return Promise.resolve(this.read(keys));
  }

  private read(keys: readonly string[]): TierOutcome<ReadonlyArray<TierHit | undefined>> {
    if (this.readOutcome === 'error') return { outcome: 'error', error: new Error('boom') };
    if (this.readOutcome === 'skipped') return { outcome: 'skipped' };
    return {
      outcome: 'ok',
      value: keys.map((key) =>
        this.entries.has(key) ? { value: this.entries.get(key), ttlMs: 5000 } : undefined,
      ),
    };
  }

  setMany(entries: readonly TierEntry[]): Promise<TierOutcome<void>> {
    this.writes.push([...entries]);
    for (const { key, value } of entries) this.entries.set(key, value);
    return Promise.resolve({ outcome: 'ok', value: undefined });
  }

  deleteByPrefix(prefix: string): Promise<number> {
    const matching = [...this.entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of matching) this.entries.delete(key);
    return Promise.resolve(matching.length);
  }

  up = true;

  availability(): 'up' | 'down' {
    return this.up ? 'up' : 'down';
  }
}

class RecordingObserver implements CacheObserver {
  readonly counts = new Map<string, number>();

  cacheRequest(tier: CacheTier, result: CacheResult, count = 1): void {
    const key = `${tier}:${result}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }
}

/** Lets write-behind promises run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(options: { enabled?: boolean; redis?: boolean } = {}) {
  const config = loadConfig({
    CACHE_ENABLED: String(options.enabled ?? true),
    CACHE_TTL_SECONDS: '60',
  });
  // The real LRU, on a clock the test moves.
  const clock = { now: 1_000 };
  const memory = new MemoryTier({ maxItems: 100, ttlMs: 60_000, now: () => clock.now });
  const redis = options.redis === false ? null : new FakeSharedTier('redis');
  const observer = new RecordingObserver();
  const sut = new PredictionCache(config, memory, redis, observer);
  const infer = jest.fn<InferFn>((texts) => Promise.resolve(texts.map(predictionFor)));
  return { sut, memory, clock, redis: redis as FakeSharedTier, observer, infer };
}

describe(PredictionCache.name, () => {
  it('answers a repeated text from memory, equal to the computed answer', async () => {
    const { sut, infer } = setup();
    const [first] = await sut.resolve(model, ['hello there'], infer);
    await settle();
    const [second] = await sut.resolve(model, ['hello there'], infer);

    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.prediction).toEqual(first.prediction);
    expect(infer).toHaveBeenCalledTimes(1);
  });

  it('writes new answers to both tiers with the configured TTL', async () => {
    const { sut, memory, clock, redis, infer } = setup();
    await sut.resolve(model, ['a text'], infer);
    await settle();
    const key = predictionKey(model, 'a text');
    expect(redis.writes).toEqual([
      [
        {
          key,
          value: {
            probabilities: predictionFor('a text').probabilities,
            logits: predictionFor('a text').logits,
            truncated: false,
          },
          ttlMs: 60_000,
        },
      ],
    ]);
    expect(memory.get(key)).toEqual(predictionFor('a text'));
    expect(Object.isFrozen(memory.get(key))).toBe(true);
    clock.now += 60_001;
    expect(memory.get(key)).toBeUndefined();
  });

  it('asks Redis only for memory misses, in one multi-get, and copies its hits into memory', async () => {
    const { sut, memory, clock, redis, observer, infer } = setup();
    memory.set(
      predictionKey(model, 'in memory'),
      freezePrediction({
        label: 'ham',
        score: 0.9,
        probabilities: [0.9, 0.1],
        logits: [1, -1],
        truncated: false,
      }),
      60_000,
    );
    redis.entries.set(predictionKey(model, 'in redis'), {
      probabilities: [0.2, 0.8],
      logits: [-0.7, 0.7],
      truncated: true,
    });

    const answers = await sut.resolve(model, ['in memory', 'in redis', 'new'], infer);
    await settle();

    expect(answers.map((answer) => answer.cached)).toEqual([true, true, false]);
    expect(answers[1].prediction).toEqual({
      label: 'spam',
      score: 0.8,
      probabilities: [0.2, 0.8],
      logits: [-0.7, 0.7],
      truncated: true,
    });
    expect(redis.reads).toEqual([[predictionKey(model, 'in redis'), predictionKey(model, 'new')]]);
    expect(infer).toHaveBeenCalledWith(['new']);
    expect(Object.fromEntries(observer.counts)).toEqual({
      'memory:hit': 1,
      'memory:miss': 2,
      'redis:hit': 1,
      'redis:miss': 1,
    });
    expect(memory.get(predictionKey(model, 'in redis'))).toEqual(answers[1].prediction);
    // A copy never outlives the Redis entry: it takes Redis's remaining TTL, not CACHE_TTL_SECONDS.
    clock.now += 5001;
    expect(memory.get(predictionKey(model, 'in redis'))).toBeUndefined();
  });

  it('runs only the misses of a batch and answers in input order', async () => {
    const { sut, infer } = setup();
    await sut.resolve(model, ['a', 'bb'], infer);
    await settle();
    const answers = await sut.resolve(model, ['ccc', 'a', 'dddd', 'bb'], infer);

    expect(infer).toHaveBeenLastCalledWith(['ccc', 'dddd']);
    expect(answers.map((answer) => [answer.prediction.probabilities[1], answer.cached])).toEqual([
      [0.03, false],
      [0.01, true],
      [0.04, false],
      [0.02, true],
    ]);
  });

  it('computes a text repeated within one batch once', async () => {
    const { sut, infer } = setup();
    const answers = await sut.resolve(model, ['same', 'other', 'same'], infer);
    expect(infer).toHaveBeenCalledWith(['same', 'other']);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('shares one inference between concurrent identical requests', async () => {
    const { sut, infer } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    infer.mockImplementation(async (texts) => {
      await gate;
      return texts.map(predictionFor);
    });

    const requests = Array.from({ length: 20 }, () => sut.resolve(model, ['popular'], infer));
    await settle();
    release();
    const answers = await Promise.all(requests);

    expect(infer).toHaveBeenCalledTimes(1);
    expect(new Set(answers.map(([answer]) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify({ prediction: predictionFor('popular'), cached: false })]),
    );
  });

  it('gives every waiter the failure of a shared inference, then runs the text again', async () => {
    const { sut, infer } = setup();
    infer.mockRejectedValueOnce(new Error('queue full'));
    const results = await Promise.allSettled([
      sut.resolve(model, ['x'], infer),
      sut.resolve(model, ['x'], infer),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);

    const [answer] = await sut.resolve(model, ['x'], infer);
    expect(answer.cached).toBe(false);
    expect(infer).toHaveBeenCalledTimes(2);
  });

  it('runs a joined text again for a waiter whose sharer was cancelled, and not for the sharer', async () => {
    const { sut, infer } = setup();
    let cancel: () => void = () => undefined;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    infer.mockImplementationOnce(async () => {
      await cancelled;
      throw new DOMException('The texts were cancelled', 'AbortError');
    });
    const sharer = sut.resolve(model, ['x'], infer);
    await settle();
    const waiter = sut.resolve(model, ['x'], infer);
    await settle();
    cancel();
    await expect(sharer).rejects.toMatchObject({ name: 'AbortError' });
    const [answer] = await waiter;
    expect(answer).toEqual({ prediction: predictionFor('x'), cached: false });
    expect(infer).toHaveBeenCalledTimes(2);
  });

  it('serves from inference when Redis fails, and counts the failure', async () => {
    const { sut, redis, observer, infer } = setup();
    redis.readOutcome = 'error';
    const [answer] = await sut.resolve(model, ['text'], infer);
    expect(answer.cached).toBe(false);
    expect(observer.counts.get('redis:error')).toBe(1);
  });

  it('counts skipped Redis lookups while Redis is down', async () => {
    const { sut, redis, observer, infer } = setup();
    redis.readOutcome = 'skipped';
    await sut.resolve(model, ['one', 'two'], infer);
    expect(observer.counts.get('redis:skipped')).toBe(2);
  });

  it('treats an entry of the wrong shape as a miss', async () => {
    const { sut, redis, infer } = setup();
    redis.entries.set(predictionKey(model, 'odd'), { probabilities: [1], truncated: false });
    const [answer] = await sut.resolve(model, ['odd'], infer);
    expect(answer.cached).toBe(false);
    expect(infer).toHaveBeenCalledWith(['odd']);
  });

  it('never answers a new model version from an old entry', async () => {
    const { sut, infer } = setup();
    await sut.resolve(model, ['text'], infer);
    await settle();
    const [answer] = await sut.resolve({ ...model, version: 'v2' }, ['text'], infer);
    expect(answer.cached).toBe(false);
  });

  it('deletes a model version from both tiers', async () => {
    const { sut, memory, redis, infer } = setup();
    await sut.resolve(model, ['one', 'two'], infer);
    await sut.resolve({ ...model, version: 'v2' }, ['one'], infer);
    await settle();

    expect(await sut.invalidate('spam-en', 'v1')).toEqual({ memory: 2, redis: 2 });
    expect(memory.size).toBe(1);
    expect(memory.get(predictionKey({ ...model, version: 'v2' }, 'one'))).toBeDefined();
    expect(await sut.invalidate('spam-en')).toEqual({ memory: 1, redis: 1 });
    expect(redis.entries.size).toBe(0);
  });

  it('does not write back an answer computed before an invalidation', async () => {
    const { sut, memory, infer } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    infer.mockImplementation(async (texts) => {
      await gate;
      return texts.map(predictionFor);
    });
    const request = sut.resolve(model, ['racing'], infer);
    await settle();
    await sut.invalidate('spam-en');
    release();
    await request;
    await settle();
    expect(memory.size).toBe(0);
  });

  it('goes straight to inference when caching is disabled', async () => {
    const { sut, memory, redis, infer } = setup({ enabled: false });
    await sut.resolve(model, ['text'], infer);
    await settle();
    const [answer] = await sut.resolve(model, ['text'], infer);
    expect(answer.cached).toBe(false);
    expect(infer).toHaveBeenCalledTimes(2);
    expect(memory.size).toBe(0);
    expect(redis.reads).toEqual([]);
  });

  it('reports memory items and Redis availability', async () => {
    const { sut, redis, infer } = setup();
    await sut.resolve(model, ['text'], infer);
    await settle();
    expect(sut.status()).toEqual({ memory: { items: 1 }, redis: 'up' });
    redis.up = false;
    expect(sut.status()).toEqual({ memory: { items: 1 }, redis: 'down' });
  });

  it('says Redis is disabled without a shared tier', () => {
    const { sut } = setup({ redis: false });
    expect(sut.status()).toEqual({ memory: { items: 0 }, redis: 'disabled' });
  });
});
