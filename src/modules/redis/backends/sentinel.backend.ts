import { createSentinel } from '@redis/client';
import type { AppConfig } from '../../../config';
import { SIFT_SCRIPTS } from '../redis-scripts';
import {
  parseNodeList,
  socketOptions,
  type ChannelListeners,
  type KeyvClient,
  type NodeClient,
  type RedisBackend,
  type SiftScripts,
  type Subscription,
  type SubscriptionHooks,
} from './redis-backend';
import { subscribeInBackground } from './subscription';
import { watchRestore } from './watch-restore';

interface SentinelSettings {
  readonly sentinels: readonly string[];
  readonly master: string;
  readonly sentinelPassword: string | undefined;
}

function createScriptedSentinel(settings: SentinelSettings, config: AppConfig) {
  const list = parseNodeList(settings.sentinels);
  const socket = socketOptions(config, list.tls);
  const sentinel = createSentinel({
    name: settings.master,
    sentinelRootNodes: [...list.nodes],
    nodeClientOptions: {
      username: list.username,
      password: list.password,
      disableOfflineQueue: true,
      socket,
    },
    sentinelClientOptions: { password: settings.sentinelPassword, socket },
    // Sentinel's own default is 10 s: a failover is also noticed from the sentinels' messages.
    scanInterval: 2000,
    scripts: SIFT_SCRIPTS,
  });
  return { sentinel, tls: list.tls };
}

type ScriptedSentinel = ReturnType<typeof createScriptedSentinel>['sentinel'];

/**
 * A master watched by sentinels (REDIS_SENTINELS, REDIS_SENTINEL_MASTER): the client asks the
 * sentinels where the master is and moves to the promoted replica after a failover. Pub/sub
 * goes through the client's own subscriber connection, which follows the master as well.
 */
export class SentinelBackend implements RedisBackend {
  readonly mode = 'sentinel' as const;
  readonly tls: boolean;
  readonly client: KeyvClient;
  private readonly scripted: ScriptedSentinel;
  readonly scripts: SiftScripts;

  constructor(settings: SentinelSettings, config: AppConfig) {
    const { sentinel, tls } = createScriptedSentinel(settings, config);
    this.scripted = sentinel;
    this.client = sentinel;
    this.scripts = sentinel;
    this.tls = tls;
  }

  private connecting: Promise<unknown> = Promise.resolve();

  async connect(): Promise<void> {
    this.connecting = this.scripted.connect();
    await this.connecting;
  }

  connected(): boolean {
    return this.scripted.isReady;
  }

  masterAddresses(): readonly string[] {
    const master = this.scripted.getMasterNode();
    return master === undefined ? [] : [`${master.host}:${master.port}`];
  }

  async onEachMaster<T>(work: (master: NodeClient) => Promise<T>): Promise<T[]> {
    // A leased connection to the master: SCAN's cursor must stay on one server.
    return [await this.scripted.use((lease) => work(lease as unknown as NodeClient))];
  }

  publish(channel: string, message: string): Promise<number> {
    return this.scripted.publish(channel, message);
  }

  subscribe(listeners: ChannelListeners, hooks: SubscriptionHooks): Subscription {
    const watch = watchRestore(() => this.connected(), hooks);
    const onError = (error: Error): void => watch.lost(error);
    this.scripted.on('error', onError);
    // The sentinel client takes subscriptions only once connected.
    subscribeInBackground(
      this.connecting,
      listeners,
      (channel, listener) => this.scripted.subscribe(channel, listener),
      watch.lost,
    );
    return {
      close: async () => {
        watch.stop();
        this.scripted.off('error', onError);
        await Promise.resolve();
      },
    };
  }

  onError(listener: (error: Error) => void): void {
    this.scripted.on('error', (error: unknown) =>
      listener(error instanceof Error ? error : new Error(String(error))),
    );
  }

  async close(): Promise<void> {
    await this.scripted.close();
  }

  destroy(): void {
    void this.scripted.destroy();
  }
}
