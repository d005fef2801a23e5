import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config';
import { createBackend } from './backends/create-backend';
import type { RedisBackend, RedisMode } from './backends/redis-backend';
import { CircuitBreaker } from './circuit-breaker';

export type {
  NodeClient,
  RedisBackend,
  RedisMode,
  SiftScripts,
  Subscription,
  SubscriptionHooks,
} from './backends/redis-backend';

/** What `/health` says about the topology: the mode, and the master(s) commands go to. */
export interface RedisTopology {
  readonly mode: RedisMode;
  readonly tls: boolean;
  /** `host:port` of each master Sift writes to: one, except in a cluster. */
  readonly masters: readonly string[];
}

/** `disabled`: no Redis configured. `down`: not connected, or failing (the circuit breaker is open). */
export type RedisState = 'disabled' | 'up' | 'down';

/** Consecutive command failures or timeouts before Redis counts as down for a cool-down. */
const FAILURE_THRESHOLD = 5;
const COOL_DOWN_MS = 2000;
const CLOSE_TIMEOUT_MS = 2000;

/**
 * The application's one Redis connection (cache tier, rate-limit counters, health), shared so
 * a replica holds one socket per server it needs: the server, the current master behind the
 * sentinels, or each cluster master (see backends/). Redis is optional: without REDIS_URL,
 * REDIS_SENTINELS or REDIS_CLUSTER_NODES `backend` is undefined.
 * Commands fail fast while disconnected (no offline queue) so callers can degrade at once,
 * and the client keeps reconnecting in the background.
 *
 * It is also the one answer to "is Redis up?" (`state()`), read by `/health`, the
 * `nlp_cache_redis_up` gauge and the callers that decide whether to send a command: up means
 * connected and not failing, where failing is a circuit breaker fed by the callers' outcomes.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  /** The topology in use (server, sentinels or cluster); undefined without Redis. */
  readonly backend: RedisBackend | undefined;
  private up = false;
  private lastError: string | undefined;
  private readonly breaker = new CircuitBreaker({
    failureThreshold: FAILURE_THRESHOLD,
    coolDownMs: COOL_DOWN_MS,
    onStateChange: (state) => {
      if (state === 'open') {
        this.logger.warn(`Redis commands failing: skipping Redis for ${COOL_DOWN_MS} ms`);
      } else {
        this.logger.log('Redis commands succeed again');
      }
    },
  });

  constructor(@InjectConfig() config: AppConfig) {
    this.backend = createBackend(config);
    this.backend?.onError((error) => {
      // The client emits an error per failed reconnect; log the state change once.
      if (this.up || this.lastError === undefined) {
        this.logger.warn(`Redis unavailable: ${error.message}`);
      }
      this.up = false;
      this.lastError = error.message;
    });
  }

  /** Connects in the background: start-up never waits for (or fails on) Redis. */
  onModuleInit(): void {
    this.backend?.connect().catch((error: Error) => {
      this.lastError = error.message;
    });
  }

  get configured(): boolean {
    return this.backend !== undefined;
  }

  state(): RedisState {
    if (this.backend === undefined) return 'disabled';
    return this.connected() && this.breaker.state() !== 'open' ? 'up' : 'down';
  }

  /** `state() === 'up'`: connected, and commands are not failing. */
  isUp(): boolean {
    return this.state() === 'up';
  }

  /**
   * Whether a command may be sent now: never while disconnected or while the breaker is open;
   * once its cool-down is over, to exactly one caller, whose outcome decides.
   */
  tryAcquire(): boolean {
    return this.connected() && this.breaker.tryAcquire();
  }

  /** Callers report each guarded command's outcome, which opens or closes the breaker. */
  recordSuccess(): void {
    this.breaker.recordSuccess();
  }

  recordFailure(): void {
    this.breaker.recordFailure();
  }

  /** Connected as the client sees it; a transition to connected is logged once. */
  private connected(): boolean {
    if (this.backend?.connected() !== true) return false;
    if (!this.up) {
      this.logger.log('Redis connected');
      this.up = true;
      this.lastError = undefined;
    }
    return true;
  }

  topology(): RedisTopology | undefined {
    const backend = this.backend;
    if (backend === undefined) return undefined;
    return { mode: backend.mode, tls: backend.tls, masters: backend.masterAddresses() };
  }

  lastErrorMessage(): string | undefined {
    return this.lastError;
  }

  /**
   * Closes gracefully (pending replies first), but a Redis that stopped answering must not hold
   * up shutdown: the client's close() waits for replies that may never come, so after
   * CLOSE_TIMEOUT_MS the socket is destroyed instead.
   */
  async onApplicationShutdown(): Promise<void> {
    const client = this.backend;
    if (client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = client.close().then(
      () => true,
      () => false,
    );
    const gaveUp = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
    });
    try {
      if (!(await Promise.race([closed, gaveUp]))) client.destroy();
    } finally {
      clearTimeout(timer);
    }
  }
}
