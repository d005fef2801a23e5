import { CircuitBreaker, type CircuitState } from './circuit-breaker';

function breakerAt(clock: { now: number }, changes: CircuitState[] = []): CircuitBreaker {
  return new CircuitBreaker({
    failureThreshold: 3,
    coolDownMs: 1000,
    now: () => clock.now,
    onStateChange: (state) => changes.push(state),
  });
}

describe(CircuitBreaker.name, () => {
  it('stays closed until the threshold of consecutive failures', () => {
    const sut = breakerAt({ now: 0 });
    sut.recordFailure();
    sut.recordFailure();
    expect(sut.state()).toBe('closed');
    expect(sut.tryAcquire()).toBe(true);
  });

  it('forgets failures after a success', () => {
    const sut = breakerAt({ now: 0 });
    sut.recordFailure();
    sut.recordFailure();
    sut.recordSuccess();
    sut.recordFailure();
    sut.recordFailure();
    expect(sut.state()).toBe('closed');
  });

  it('refuses calls for the cool-down once open', () => {
    const clock = { now: 0 };
    const changes: CircuitState[] = [];
    const sut = breakerAt(clock, changes);
    for (let i = 0; i < 3; i++) sut.recordFailure();
    expect(sut.state()).toBe('open');
    expect(changes).toEqual(['open']);
    clock.now = 999;
    expect(sut.tryAcquire()).toBe(false);
  });

  it('lets exactly one probe through after the cool-down', () => {
    const clock = { now: 0 };
    const sut = breakerAt(clock);
    for (let i = 0; i < 3; i++) sut.recordFailure();
    clock.now = 1000;
    expect(sut.state()).toBe('half-open');
    expect(sut.tryAcquire()).toBe(true);
    expect(sut.tryAcquire()).toBe(false);
  });

  it('closes when the probe succeeds', () => {
    const clock = { now: 0 };
    const changes: CircuitState[] = [];
    const sut = breakerAt(clock, changes);
    for (let i = 0; i < 3; i++) sut.recordFailure();
    clock.now = 1000;
    sut.tryAcquire();
    sut.recordSuccess();
    expect(sut.state()).toBe('closed');
    expect(sut.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open', 'closed']);
  });

  it('reopens for a full cool-down when the probe fails', () => {
    const clock = { now: 0 };
    const sut = breakerAt(clock);
    for (let i = 0; i < 3; i++) sut.recordFailure();
    clock.now = 1000;
    sut.tryAcquire();
    sut.recordFailure();
    expect(sut.state()).toBe('open');
    clock.now = 1999;
    expect(sut.tryAcquire()).toBe(false);
    clock.now = 2000;
    expect(sut.tryAcquire()).toBe(true);
  });
});
