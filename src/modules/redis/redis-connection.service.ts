import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient } from '@redis/client';
import { InjectConfig, type AppConfig } from '../../config';
import { CircuitBreaker } from './circuit-breaker';
import { SIFT_SCRIPTS } from './redis-scripts';
import { redisTlsOptions } from './redis-tls';

export type SiftRedisClient = ReturnType<typeof createClient>;

/** A client that also runs Sift's Lua scripts by name (redis-scripts.ts). */
export function createScriptedClient(options: Parameters<typeof createClient>[0] = {}) {
  return createClient({ ...options, scripts: SIFT_SCRIPTS });
}

export type ScriptedRedisClient = ReturnType<typeof createScriptedClient>;

/** How Sift reaches Redis: one server (REDIS_URL), through sentinels, or a Redis Cluster. */
export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

/** What `/health` says about the topology: the mode, and the master(s) commands go to. */
export interface RedisTopology {
  readonly mode: RedisMode;
  readonly tls: boolean;
  /** `host:port` of each master Sift writes to: one, except in a cluster. */
  readonly masters: readonly string[];
}

/** `disabled`: no REDIS_URL. `down`: not connected, or failing (the circuit breaker is open). */
export type RedisState = 'disabled' | 'up' | 'down';

const MAX_RECONNECT_DELAY_MS = 2000;
/** Consecutive command failures or timeouts before Redis counts as down for a cool-down. */
const FAILURE_THRESHOLD = 5;
const COOL_DOWN_MS = 2000;
const CLOSE_TIMEOUT_MS = 2000;

/**
 * The application's one Redis connection (cache tier, rate-limit counters, health), shared so
 * a replica holds one socket. Redis is optional: without REDIS_URL `client` is undefined.
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
  readonly client: SiftRedisClient | undefined;
  /** The same client, typed with the scripts it was created with. */
  readonly scripted: ScriptedRedisClient | undefined;
  /** rediss://: a certificate error is a connection error, reported like any other. */
  readonly tls: boolean = false;
  private readonly address: string | undefined;
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
    if (config.REDIS_URL === undefined) return;
    const socket = {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    };
    this.tls = config.REDIS_URL.startsWith('rediss://');
    const url = new URL(config.REDIS_URL);
    this.address = `${url.hostname}:${url.port || '6379'}`;
    this.scripted = createScriptedClient({
      url: config.REDIS_URL,
      disableOfflineQueue: true,
      socket: this.tls
        ? { ...socket, ...redisTlsOptions(config), tls: true }
        : { ...socket, tls: false },
    });
    // node-redis's client types are invariant in their scripts, and the cache's libraries
    // (Keyv) take the plain type: one object, two views.
    this.client = this.scripted as unknown as SiftRedisClient;
    this.client.on('ready', () => {
      if (!this.up) this.logger.log('Redis connected');
      this.up = true;
      this.lastError = undefined;
    });
    this.client.on('end', () => {
      this.up = false;
    });
    this.client.on('error', (error: Error) => {
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
    this.client?.connect().catch((error: Error) => {
      this.lastError = error.message;
    });
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  state(): RedisState {
    if (this.client === undefined) return 'disabled';
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

  private connected(): boolean {
    return this.client !== undefined && this.up && this.client.isReady;
  }

  topology(): RedisTopology | undefined {
    if (this.client === undefined || this.address === undefined) return undefined;
    return { mode: 'standalone', tls: this.tls, masters: [this.address] };
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
    const client = this.client;
    if (client === undefined || !client.isOpen) return;
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
