import { createCluster } from '@redis/client';
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
import { dedicatedSubscription } from './subscription';
import { watchRestore } from './watch-restore';

function createScriptedCluster(entries: readonly string[], config: AppConfig) {
  const list = parseNodeList(entries);
  const cluster = createCluster({
    rootNodes: list.nodes.map(({ host, port }) => ({ socket: { host, port } })),
    defaults: {
      username: list.username,
      password: list.password,
      disableOfflineQueue: true,
      socket: socketOptions(config, list.tls),
    },
    scripts: SIFT_SCRIPTS,
  });
  return { cluster, tls: list.tls };
}

type ScriptedCluster = ReturnType<typeof createScriptedCluster>['cluster'];

/**
 * A Redis Cluster from its seed nodes (REDIS_CLUSTER_NODES). Keys go to their slot's master;
 * the rate-limit script touches one key, whose `{client}` hash tag keeps it in one slot.
 * Invalidation uses sharded pub/sub (SPUBLISH): its channel lives on one master, which all
 * replicas subscribe to, so SPUBLISH's count is every subscriber (PUBLISH would count only the
 * subscribers of the node it was sent to).
 */
export class ClusterBackend implements RedisBackend {
  readonly mode = 'cluster' as const;
  readonly tls: boolean;
  readonly client: KeyvClient;
  private readonly scripted: ScriptedCluster;
  readonly scripts: SiftScripts;

  constructor(entries: readonly string[], config: AppConfig) {
    const { cluster, tls } = createScriptedCluster(entries, config);
    this.scripted = cluster;
    // node-redis's client types are invariant in their scripts; Keyv takes the plain type.
    this.client = cluster as unknown as KeyvClient;
    this.scripts = cluster;
    this.tls = tls;
  }

  async connect(): Promise<void> {
    await this.scripted.connect();
  }

  connected(): boolean {
    const masters = this.scripted.isOpen ? this.scripted.masters : [];
    return masters.length > 0 && masters.every((master) => master.client?.isReady === true);
  }

  masterAddresses(): readonly string[] {
    return this.scripted.masters.map(({ host, port }) => `${host}:${port}`);
  }

  onEachMaster<T>(work: (master: NodeClient) => Promise<T>): Promise<T[]> {
    return Promise.all(
      this.scripted.masters.map(async (master) =>
        // The same commands on a differently-typed client (the cluster's scripts).
        work((await this.scripted.nodeClient(master)) as unknown as NodeClient),
      ),
    );
  }

  publish(channel: string, message: string): Promise<number> {
    return this.scripted.sPublish(channel, message);
  }

  subscribe(listeners: ChannelListeners, hooks: SubscriptionHooks): Subscription {
    const subscriber = this.scripted.duplicate();
    const watch = watchRestore(() => this.connected(), hooks);
    subscriber.on('error', watch.lost);
    return dedicatedSubscription(
      subscriber,
      listeners,
      (channel, listener) => subscriber.sSubscribe(channel, listener),
      watch.lost,
      watch.stop,
    );
  }

  onError(listener: (error: Error) => void): void {
    this.scripted.on('error', listener);
    this.scripted.on('node-error', listener);
  }

  async close(): Promise<void> {
    await this.scripted.close();
  }

  destroy(): void {
    this.scripted.destroy();
  }
}
