export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit refuses calls before one probe is let through. */
  readonly coolDownMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: CircuitState) => void;
}

/**
 * Counts consecutive failures of a dependency; once it looks dead, calls are refused for a
 * cool-down instead of each paying a timeout, then a single probe decides whether to close.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    // Read at each call, not captured, so a test that stops the clock stops the breaker's too.
    this.now = options.now ?? (() => Date.now());
  }

  state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.coolingDown() ? 'open' : 'half-open';
  }

  /** True when a call may go ahead; in half-open state only the first caller gets through. */
  tryAcquire(): boolean {
    if (this.openedAt === undefined) return true;
    if (this.probing || this.coolingDown()) return false;
    this.probing = true;
    return true;
  }

  recordSuccess(): void {
    const wasOpen = this.openedAt !== undefined;
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
    if (wasOpen) this.options.onStateChange?.('closed');
  }

  recordFailure(): void {
    this.failures += 1;
    const reopen = this.openedAt !== undefined;
    if (reopen || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.now();
      this.probing = false;
      this.options.onStateChange?.('open');
    }
  }

  private coolingDown(): boolean {
    return this.openedAt !== undefined && this.now() - this.openedAt < this.options.coolDownMs;
  }
}
