import { MemoryWindowStore } from './memory-window.store';

describe(MemoryWindowStore.name, () => {
  let now: number;
  let sut: MemoryWindowStore;

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryWindowStore(() => now);
  });

  it('counts hits within the window and says how long it has left', () => {
    expect(sut.increment('a', 60_000)).toEqual({ hits: 1, windowLeftMs: 60_000 });
    now += 10_000;
    expect(sut.increment('a', 60_000)).toEqual({ hits: 2, windowLeftMs: 50_000 });
    expect(sut.increment('a', 60_000)).toEqual({ hits: 3, windowLeftMs: 50_000 });
  });

  it('counts a request that costs several hits as that many', () => {
    expect(sut.increment('a', 60_000, 5)).toEqual({ hits: 5, windowLeftMs: 60_000 });
    now += 10_000;
    expect(sut.increment('a', 60_000)).toEqual({ hits: 6, windowLeftMs: 50_000 });
  });

  it('starts a fresh window once the old one has ended', () => {
    sut.increment('a', 60_000);
    sut.increment('a', 60_000);
    now += 60_000;
    expect(sut.increment('a', 60_000)).toEqual({ hits: 1, windowLeftMs: 60_000 });
  });

  it('keeps clients apart', () => {
    sut.increment('a', 60_000);
    expect(sut.increment('b', 60_000)).toMatchObject({ hits: 1 });
  });

  it('forgets idle clients', () => {
    for (let i = 0; i < 100; i++) sut.increment(`client-${i}`, 1_000);
    now += 61_000;
    sut.increment('late', 1_000);
    expect(sut.size).toBe(1);
  });
});
