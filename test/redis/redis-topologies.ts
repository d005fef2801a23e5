import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseConfig, freePort, RedisProcess, type Scratch, waitFor } from './redis-processes';

const run = promisify(execFile);

/** A port whose cluster bus port (port + 10000) is a valid port as well. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 <= 65535) return port;
  }
}

/**
 * A Redis Cluster of `masters` masters (no replicas) on spare ports, its slots assigned by
 * `redis-cli --cluster create`; resolves once every node says the cluster is ok.
 */
export async function startCluster(scratch: Scratch, masters = 3): Promise<RedisProcess[]> {
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < masters; i++) {
    const port = await clusterPort();
    const config = scratch.write(
      `cluster-${port}.conf`,
      [
        baseConfig(port, scratch.dir),
        'cluster-enabled yes',
        `cluster-config-file nodes-${port}.conf`,
        'cluster-node-timeout 2000',
      ].join('\n'),
    );
    nodes.push(new RedisProcess(port, config));
  }
  try {
    await Promise.all(nodes.map((node) => node.start()));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-yes',
    ]);
    await waitFor(
      async () => (await Promise.all(nodes.map(clusterOk))).every(Boolean),
      'the cluster to be ok on every node',
      30_000,
    );
  } catch (error) {
    await Promise.allSettled(nodes.map((node) => node.kill()));
    throw error;
  }
  return nodes;
}

async function clusterOk(node: RedisProcess): Promise<boolean> {
  const client = await node.connect();
  try {
    return (await client.clusterInfo()).includes('cluster_state:ok');
  } finally {
    client.destroy();
  }
}

export const SENTINEL_MASTER = 'sift-master';

export interface SentinelSet {
  readonly master: RedisProcess;
  readonly replica: RedisProcess;
  readonly sentinels: readonly RedisProcess[];
}

/**
 * A master, its replica and three sentinels (quorum 2) on spare ports; resolves once the
 * replica is in sync and every sentinel knows the replica and the two other sentinels, so a
 * failover can be agreed on.
 */
export async function startSentinels(scratch: Scratch): Promise<SentinelSet> {
  const [masterPort, replicaPort] = [await freePort(), await freePort()];
  const master = new RedisProcess(
    masterPort,
    scratch.write('master.conf', baseConfig(masterPort, scratch.dir)),
  );
  const replica = new RedisProcess(
    replicaPort,
    scratch.write(
      'replica.conf',
      `${baseConfig(replicaPort, scratch.dir)}\nreplicaof 127.0.0.1 ${masterPort}`,
    ),
  );
  const sentinels: RedisProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    // Sentinels rewrite their config file: one each, in the scratch directory.
    const config = scratch.write(
      `sentinel-${port}.conf`,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${scratch.dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
      ].join('\n'),
    );
    sentinels.push(new RedisProcess(port, config, ['--sentinel']));
  }
  const all = [master, replica, ...sentinels];
  try {
    await master.start();
    await replica.start();
    await waitFor(
      async () => (await info(replica, 'replication')).includes('master_link_status:up'),
      'the replica to sync',
      30_000,
    );
    await Promise.all(sentinels.map((sentinel) => sentinel.start()));
    await waitFor(
      async () => (await Promise.all(sentinels.map(knowsEveryone))).every(Boolean),
      'the sentinels to know each other and the replica',
      60_000,
    );
  } catch (error) {
    await Promise.allSettled(all.map((node) => node.kill()));
    throw error;
  }
  return { master, replica, sentinels };
}

export async function info(node: RedisProcess, section: string): Promise<string> {
  const client = await node.connect();
  try {
    return await client.info(section);
  } finally {
    client.destroy();
  }
}

async function knowsEveryone(sentinel: RedisProcess): Promise<boolean> {
  const client = await sentinel.connect();
  try {
    const others = await client.sendCommand(['SENTINEL', 'SENTINELS', SENTINEL_MASTER]);
    const replicas = await client.sendCommand(['SENTINEL', 'REPLICAS', SENTINEL_MASTER]);
    return (
      Array.isArray(others) &&
      others.length === 2 &&
      Array.isArray(replicas) &&
      replicas.length === 1
    );
  } finally {
    client.destroy();
  }
}
