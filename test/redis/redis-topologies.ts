import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { baseConfig, freePort, RedisProcess, type Scratch, waitFor } from './redis-processes';
import { makeCertificates, type CertificateFiles } from './test-certificates';

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

const TLS_USER = 'sift';
const TLS_PASSWORD = 'tls-test-password';

export interface TlsServer {
  readonly server: RedisProcess;
  readonly certificates: CertificateFiles;
  /** rediss:// with the ACL user's credentials. */
  readonly url: string;
}

/**
 * Managed Redis as ElastiCache sells it: TLS only, a private CA (made here), an ACL user, and
 * mutual TLS as well (the server asks for a client certificate).
 */
export async function startTlsServer(scratch: Scratch): Promise<TlsServer> {
  const certificates = makeCertificates(scratch);
  const port = await freePort();
  const config = scratch.write(
    'tls.conf',
    [
      baseConfig(0, scratch.dir),
      `tls-port ${port}`,
      `tls-cert-file ${certificates.serverCert}`,
      `tls-key-file ${certificates.serverKey}`,
      `tls-ca-cert-file ${certificates.ca}`,
      'tls-auth-clients yes',
      'user default off',
      `user ${TLS_USER} on >${TLS_PASSWORD} ~* &* +@all`,
    ].join('\n'),
  );
  const server = new RedisProcess(port, config, [], {
    username: TLS_USER,
    password: TLS_PASSWORD,
    socket: {
      tls: true,
      ca: scratch.read(certificates.ca),
      cert: scratch.read(certificates.clientCert),
      key: scratch.read(certificates.clientKey),
    },
  });
  await server.start();
  return { server, certificates, url: `rediss://${TLS_USER}:${TLS_PASSWORD}@127.0.0.1:${port}` };
}

/** What points an app at the TLS server, trusting `ca` and sending the client certificate. */
export function tlsEnv(tls: TlsServer, ca = tls.certificates.ca): Record<string, string> {
  return {
    REDIS_URL: tls.url,
    REDIS_TLS_CA_FILE: ca,
    REDIS_TLS_CERT_FILE: tls.certificates.clientCert,
    REDIS_TLS_KEY_FILE: tls.certificates.clientKey,
  };
}

export const SENTINEL_MASTER = 'sift-master';

/**
 * The sentinels' own timeouts, which every test states: how long a silent master may stay
 * silent before it counts as down, and how long a failover may take before another is tried.
 */
export interface SentinelTimeouts {
  readonly downAfterMs: number;
  readonly failoverTimeoutMs: number;
}

export interface SentinelSet {
  readonly master: RedisProcess;
  readonly replica: RedisProcess;
  readonly sentinels: readonly RedisProcess[];
}

/**
 * A master, its replica and three sentinels (quorum 2) on spare ports, with the test's
 * timeouts; resolves once the replica is in sync and every sentinel knows the replica and the
 * two other sentinels, so a failover can be agreed on.
 */
export async function startSentinels(
  scratch: Scratch,
  timeouts: SentinelTimeouts,
): Promise<SentinelSet> {
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
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} ${timeouts.downAfterMs}`,
        `sentinel failover-timeout ${SENTINEL_MASTER} ${timeouts.failoverTimeoutMs}`,
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

/** What points an app at the set's master, through its sentinels. */
export function sentinelEnv({ sentinels }: SentinelSet): Record<string, string> {
  return {
    REDIS_SENTINELS: sentinels.map(({ port }) => `127.0.0.1:${port}`).join(','),
    REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
  };
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
