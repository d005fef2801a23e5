import { jest } from '@jest/globals';
import { Piscina } from 'piscina';

/** What the thread pools of this process did while a {@link watchPiscina} watch was on. */
export interface PiscinaWatch {
  /** Tasks a thread finished (the promise `run` returned was fulfilled). */
  readonly completed: () => number;
  /** Pools that were given a task. */
  readonly pools: () => number;
  /** Listeners on the 'error' event, summed over the pools that were given a task. */
  readonly errorListeners: () => number;
  readonly stop: () => void;
}

/**
 * Watches, through piscina's own public API, every pool in this process from now on: the
 * tokenizer pool keeps its piscina to itself, so a test sees the threads' work here.
 */
export function watchPiscina(): PiscinaWatch {
  let completed = 0;
  const pools = new Set<Piscina>();
  const run = Piscina.prototype.run;
  const spy = jest.spyOn(Piscina.prototype, 'run').mockImplementation(function (
    this: Piscina,
    ...args: Parameters<Piscina['run']>
  ) {
    pools.add(this);
    const task = run.apply(this, args) as Promise<unknown>;
    task.then(
      () => completed++,
      () => undefined,
    );
    return task;
  });
  return {
    completed: () => completed,
    pools: () => pools.size,
    errorListeners: () =>
      [...pools].reduce((total, pool) => total + pool.listenerCount('error'), 0),
    stop: () => spy.mockRestore(),
  };
}
