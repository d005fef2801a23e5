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
