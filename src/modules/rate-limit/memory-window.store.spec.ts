import { MemoryWindowStore } from './memory-window.store';

describe(MemoryWindowStore.name, () => {
  let now: number;
  let sut: MemoryWindowStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryWindowStore(() => now);
  });

  it('counts hits within the window and refuses the ones over the limit until it ends', () => {
    expect(sut.increment('a', 60_000, 2, 0)).toEqual({
      hits: 1,
      windowLeftMs: 60_000,
      blocked: false,
      blockLeftMs: 0,
    });
    now += 10_000;
    expect(sut.increment('a', 60_000, 2, 0)).toEqual({
      hits: 2,
      windowLeftMs: 50_000,
      blocked: false,
      blockLeftMs: 0,
    });
    expect(sut.increment('a', 60_000, 2, 0)).toEqual({
      hits: 3,
      windowLeftMs: 50_000,
      blocked: true,
      blockLeftMs: 50_000,
    });
  });

  it('starts a fresh window once the old one has ended', () => {
    sut.increment('a', 60_000, 1, 0);
    sut.increment('a', 60_000, 1, 0);
    now += 60_000;
    expect(sut.increment('a', 60_000, 1, 0)).toMatchObject({ hits: 1, blocked: false });
  });

  it('keeps clients apart', () => {
    sut.increment('a', 60_000, 1, 0);
    expect(sut.increment('b', 60_000, 1, 0)).toMatchObject({ hits: 1, blocked: false });
  });

  it('blocks for the block duration, without counting, then starts afresh', () => {
    sut.increment('a', 60_000, 1, 5_000);
    expect(sut.increment('a', 60_000, 1, 5_000)).toMatchObject({
      blocked: true,
      blockLeftMs: 5_000,
    });
    now += 4_000;
    expect(sut.increment('a', 60_000, 1, 5_000)).toMatchObject({
      blocked: true,
      blockLeftMs: 1_000,
    });
    now += 1_000;
    expect(sut.increment('a', 60_000, 1, 5_000)).toMatchObject({ hits: 1, blocked: false });
  });

  it('forgets idle clients', () => {
    for (let i = 0; i < 100; i++) sut.increment(`client-${i}`, 1_000, 5, 0);
    now += 61_000;
    sut.increment('late', 1_000, 5, 0);
    expect(sut.size).toBe(1);
  });
});
