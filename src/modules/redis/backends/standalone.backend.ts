import { createClient } from '@redis/client';
import type { AppConfig } from '../../../config';
import { SIFT_SCRIPTS } from '../redis-scripts';
import {
  socketOptions,
  type ChannelListeners,
  type NodeClient,
  type RedisBackend,
  type SiftScripts,
  type Subscription,
  type SubscriptionHooks,
} from './redis-backend';
import { dedicatedSubscription } from './subscription';

function createScriptedClient(url: string, config: AppConfig, tls: boolean) {
  return createClient({
    url,
    // Fail fast while disconnected (no offline queue) so callers can degrade at once.
    disableOfflineQueue: true,
    socket: socketOptions(config, tls),
    scripts: SIFT_SCRIPTS,
  });
}

/** One server at REDIS_URL (redis://, or rediss:// for TLS). */
export class StandaloneBackend implements RedisBackend {
  readonly mode = 'standalone' as const;
  readonly tls: boolean;
  /** node-redis's client types are invariant in their scripts; Keyv takes the plain type. */
  readonly client: NodeClient;
  readonly scripts: SiftScripts;
  private readonly address: string;
  private ready = false;

  constructor(url: string, config: AppConfig) {
    this.tls = url.startsWith('rediss://');
    const { hostname, port } = new URL(url);
    this.address = `${hostname}:${port || '6379'}`;
    const scripted = createScriptedClient(url, config, this.tls);
    this.scripts = scripted;
    this.client = scripted as unknown as NodeClient;
    this.client.on('ready', () => (this.ready = true));
    this.client.on('end', () => (this.ready = false));
    this.client.on('error', () => (this.ready = false));
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  connected(): boolean {
    return this.ready && this.client.isReady;
  }

  masterAddresses(): readonly string[] {
    return [this.address];
  }

  async onEachMaster<T>(work: (master: NodeClient) => Promise<T>): Promise<T[]> {
    return [await work(this.client)];
  }

  publish(channel: string, message: string): Promise<number> {
    return this.client.publish(channel, message);
  }

  subscribe(listeners: ChannelListeners, hooks: SubscriptionHooks): Subscription {
    const subscriber = this.client.duplicate();
    let lost = false;
    const onLost = (error: Error): void => {
      lost = true;
      hooks.lost(error);
    };
    subscriber.on('error', onLost);
    // node-redis resubscribes on reconnection: 'ready' after a loss means subscribed again.
    subscriber.on('ready', () => {
      if (!lost) return;
      lost = false;
      hooks.restored();
    });
    return dedicatedSubscription(
      subscriber,
      listeners,
      (channel, listener) => subscriber.subscribe(channel, listener),
      onLost,
    );
  }

  onError(listener: (error: Error) => void): void {
    this.client.on('error', listener);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  destroy(): void {
    this.client.destroy();
  }
}
