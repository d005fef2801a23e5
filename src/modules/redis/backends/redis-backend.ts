import type { createClient, RedisClusterType, RedisSentinelType } from '@redis/client';
import type { ConnectionOptions } from 'node:tls';
import type { AppConfig } from '../../../config';
import { redisTlsOptions } from '../redis-tls';

/** How Sift reaches Redis: one server (REDIS_URL), through sentinels, or a Redis Cluster. */
export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

/** A connection to one Redis server (a master, in every mode). */
export type NodeClient = ReturnType<typeof createClient>;

/** What Keyv (@keyv/redis) is built on in each mode; it routes keys to cluster slots itself. */
export type KeyvClient = NodeClient | RedisClusterType | RedisSentinelType;

/** Sift's Lua scripts (redis-scripts.ts), as every mode's client exposes them. */
export interface SiftScripts {
  siftRateLimitHit(key: string, windowMs: number, cost: number): Promise<unknown>;
}

/** A subscription's connection: `lost` when it breaks, `restored` once it is back. */
export interface SubscriptionHooks {
  readonly lost: (error: Error) => void;
  readonly restored: () => void;
}

/** The handlers of a subscription, by channel. */
export type ChannelListeners = Readonly<Record<string, (message: string) => void>>;

export interface Subscription {
  close(): Promise<void>;
}

/**
 * One topology behind RedisConnection: what differs between a server, a sentinel-watched master
 * and a cluster, so that callers never ask which mode they run in.
 */
export interface RedisBackend {
  readonly mode: RedisMode;
  readonly tls: boolean;
  /** The client Keyv is built on. */
  readonly client: KeyvClient;
  readonly scripts: SiftScripts;
  connect(): Promise<void>;
  /** Connected to every master, as far as the client knows. */
  connected(): boolean;
  /** `host:port` of each master. */
  masterAddresses(): readonly string[];
  /** Runs `work` on a connection to each master (SCAN, and round trips that order replies). */
  onEachMaster<T>(work: (master: NodeClient) => Promise<T>): Promise<T[]>;
  /** Publishes to every subscriber; resolves to how many received it. */
  publish(channel: string, message: string): Promise<number>;
  /** Subscribes in the background (start-up never waits for Redis); failures go to `hooks`. */
  subscribe(listeners: ChannelListeners, hooks: SubscriptionHooks): Subscription;
  /** Errors of the client (one per failed reconnection attempt). */
  onError(listener: (error: Error) => void): void;
  close(): Promise<void>;
  destroy(): void;
}

const MAX_RECONNECT_DELAY_MS = 2000;

/** Socket options shared by every connection: bounded connect, capped backoff, TLS when on. */
export function socketOptions(config: AppConfig, tls: boolean) {
  const common = {
    connectTimeout: 2000,
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
  };
  const secure: ConnectionOptions = tls ? redisTlsOptions(config) : {};
  return tls ? { ...common, ...secure, tls: true as const } : { ...common, tls: false as const };
}

export interface RedisNodeList {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly tls: boolean;
  readonly username?: string;
  readonly password?: string;
}

function decoded(part: string | undefined): string | undefined {
  return part === undefined || part === '' ? undefined : decodeURIComponent(part);
}

/** REDIS_CLUSTER_NODES / REDIS_SENTINELS: the first entry's URL carries TLS and credentials. */
export function parseNodeList(entries: readonly string[]): RedisNodeList {
  const [first = ''] = entries;
  const url = first.includes('://') ? new URL(first) : undefined;
  const nodes = entries.map((entry) => {
    const address = entry.includes('://') ? new URL(entry).host : entry;
    const split = address.lastIndexOf(':');
    return { host: address.slice(0, split), port: Number(address.slice(split + 1)) };
  });
  return {
    nodes,
    tls: url?.protocol === 'rediss:',
    username: decoded(url?.username),
    password: decoded(url?.password),
  };
}
