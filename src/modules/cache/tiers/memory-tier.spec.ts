import { afterEach, jest } from '@jest/globals';
import { createCache } from 'cache-manager';
import { createMemoryKeyv, MemoryTier } from './memory-tier';

function memoryTier(maxItems: number, ttlMs = 60_000): MemoryTier {
  return MemoryTier.over(createCache({ stores: [createMemoryKeyv(maxItems, ttlMs)] }));
}

const entry = (key: string, ttlMs = 60_000) => ({
  key,
  value: { probabilities: [1], truncated: false },
  ttlMs,
});

/**
 * Moves the clock the tier's expiry check reads (Date.now) instead of sleeping: a real 20 ms
 * TTL could already be over by the first read on a loaded machine.
 */
function freezeClock(): { advance(ms: number): void } {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  let now = Date.now();
  return {
    advance(ms: number) {
      now += ms;
      jest.setSystemTime(now);
    },
  };
}

describe(MemoryTier.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads back what it stored, by key, with misses as undefined', async () => {
    const sut = memoryTier(10);
    await sut.setMany([entry('sift:m:v:a')]);
    await expect(sut.getMany(['sift:m:v:a', 'sift:m:v:b'])).resolves.toEqual({
      outcome: 'ok',
      value: [{ value: { probabilities: [1], truncated: false } }, undefined],
    });
  });

  it('keeps values as objects, not serialized copies, and peeks at them synchronously', async () => {
    const sut = memoryTier(10);
    const stored = entry('k');
    await sut.setMany([stored]);
    // The cache freezes what it stores (toStoredPrediction), so sharing the object is safe.
    expect(sut.peek('k')).toBe(stored.value);
    const read = await sut.getMany(['k']);
    expect(read.outcome === 'ok' && read.value[0]?.value).toBe(stored.value);
    expect(sut.peek('absent')).toBeUndefined();
  });

  it('does not peek at expired entries', async () => {
    const clock = freezeClock();
    const sut = memoryTier(10);
    await sut.setMany([entry('short', 20)]);
    clock.advance(19);
    expect(sut.peek('short')).toBeDefined();
    clock.advance(2);
    expect(sut.peek('short')).toBeUndefined();
  });

  it('keeps at most its item limit, evicting the least recently used', async () => {
    const sut = memoryTier(2);
    await sut.setMany([entry('a'), entry('b')]);
    await sut.getMany(['a']);
    await sut.setMany([entry('c')]);
    const read = await sut.getMany(['a', 'b', 'c']);
    expect(read.outcome === 'ok' && read.value.map((hit) => hit !== undefined)).toEqual([
      true,
      false,
      true,
    ]);
    expect(sut.size).toBe(2);
  });

  it('forgets entries after their TTL', async () => {
    const clock = freezeClock();
    const sut = memoryTier(10);
    await sut.setMany([entry('short', 20)]);
    clock.advance(21);
    await expect(sut.getMany(['short'])).resolves.toEqual({ outcome: 'ok', value: [undefined] });
  });

  it('deletes only the keys under a prefix', async () => {
    const sut = memoryTier(10);
    await sut.setMany([
      entry('sift:m:v1:a'),
      entry('sift:m:v1:b'),
      entry('sift:m:v2:a'),
      entry('sift:m2:v1:a'),
    ]);
    await expect(sut.deleteByPrefix('sift:m:v1:')).resolves.toBe(2);
    await expect(sut.deleteByPrefix('sift:m:')).resolves.toBe(1);
    expect(sut.size).toBe(1);
  });
});
