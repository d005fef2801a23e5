import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient } from '@redis/client';
import { InjectConfig, type AppConfig } from '../../config';
import { SIFT_SCRIPTS } from './redis-scripts';

export type SiftRedisClient = ReturnType<typeof createClient>;

/** A client that also runs Sift's Lua scripts by name (redis-scripts.ts). */
export function createScriptedClient(options: Parameters<typeof createClient>[0] = {}) {
  return createClient({ ...options, scripts: SIFT_SCRIPTS });
}

export type ScriptedRedisClient = ReturnType<typeof createScriptedClient>;

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * The application's one Redis connection (cache tier, rate-limit counters, health), shared so
 * a replica holds one socket. Redis is optional: without REDIS_URL `client` is undefined.
 * Commands fail fast while disconnected (no offline queue) so callers can degrade at once,
 * and the client keeps reconnecting in the background.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: SiftRedisClient | undefined;
  /** The same client, typed with the scripts it was created with. */
  readonly scripted: ScriptedRedisClient | undefined;
  private up = false;
  private lastError: string | undefined;

  constructor(@InjectConfig() config: AppConfig) {
    if (config.REDIS_URL === undefined) return;
    this.scripted = createScriptedClient({
      url: config.REDIS_URL,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
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

  /** True while the socket is connected and ready for commands. */
  isUp(): boolean {
    return this.client !== undefined && this.up && this.client.isReady;
  }

  lastErrorMessage(): string | undefined {
    return this.lastError;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client === undefined) return;
    try {
      if (this.client.isOpen) await this.client.close();
    } catch {
      // Closing a connection that is already broken has nothing left to clean up.
      this.client.destroy();
    }
  }
}
