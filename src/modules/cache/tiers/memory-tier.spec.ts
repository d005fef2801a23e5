import type { Prediction } from '../../inference';
import { freezePrediction } from '../stored-prediction';
import { MemoryTier } from './memory-tier';

const prediction: Prediction = freezePrediction({
  label: 'spam',
  score: 0.9,
  probabilities: [0.1, 0.9],
  logits: [-1.1, 1.1],
  truncated: false,
});

/**
 * A clock the tier reads instead of the real one: a real 20 ms TTL could already be over by
 * the first read on a loaded machine. It starts past 0, as a real clock does.
 */
function clock(): { now: () => number; advance(ms: number): void } {
  let now = 1_000;
  return { now: () => now, advance: (ms) => (now += ms) };
}

function memoryTier(maxItems: number, now?: () => number): MemoryTier {
  return new MemoryTier({ maxItems, ttlMs: 60_000, now });
}

describe(MemoryTier.name, () => {
  it('reads back what it stored, by key, with misses as undefined', () => {
    const sut = memoryTier(10);
    sut.set('sift:m:v:a', prediction, 60_000);
    expect(sut.get('sift:m:v:a')).toEqual(prediction);
    expect(sut.get('sift:m:v:b')).toBeUndefined();
  });

  it('hands out the stored object itself, neither serialized nor copied', () => {
    const sut = memoryTier(10);
    sut.set('k', prediction, 60_000);
    // The cache freezes what it stores (freezePrediction), so sharing the object is safe.
    expect(sut.get('k')).toBe(prediction);
  });

  it('forgets an entry once its own TTL is over', () => {
    const time = clock();
    const sut = memoryTier(10, time.now);
    sut.set('short', prediction, 20);
    sut.set('long', prediction, 60_000);
    time.advance(19);
    expect(sut.get('short')).toBeDefined();
    time.advance(2);
    expect(sut.get('short')).toBeUndefined();
    expect(sut.get('long')).toBeDefined();
  });

  it('keeps at most its item limit, evicting the least recently used', () => {
    const sut = memoryTier(2);
    sut.set('a', prediction, 60_000);
    sut.set('b', prediction, 60_000);
    sut.get('a');
    sut.set('c', prediction, 60_000);
    expect(['a', 'b', 'c'].map((key) => sut.get(key) !== undefined)).toEqual([true, false, true]);
    expect(sut.size).toBe(2);
  });

  it('deletes only the keys under a prefix', () => {
    const sut = memoryTier(10);
    for (const key of ['sift:m:v1:a', 'sift:m:v1:b', 'sift:m:v2:a', 'sift:m2:v1:a']) {
      sut.set(key, prediction, 60_000);
    }
    expect(sut.deleteByPrefix('sift:m:v1:')).toBe(2);
    expect(sut.deleteByPrefix('sift:m:')).toBe(1);
    expect(sut.size).toBe(1);
    expect(sut.get('sift:m2:v1:a')).toBeDefined();
  });
});
