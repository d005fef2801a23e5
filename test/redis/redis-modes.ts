import { predictionKey } from '../../src/modules/cache/prediction-key';
import type { TestApp } from '../helpers/test-app';
import { baseConfig, freePort, killAll, RedisProcess, Scratch } from './redis-processes';
import {
  sentinelEnv,
  startCluster,
  startSentinels,
  startTlsServer,
  tlsEnv,
} from './redis-topologies';

/** The ways Sift reaches Redis that the outage cases run in. */
export const REDIS_MODES = ['plain', 'TLS', 'Sentinel', 'Cluster'] as const;
export type RedisModeName = (typeof REDIS_MODES)[number];

/**
 * The sentinels of the outage cases never fail over (no case runs this long): a killed or hung
 * master stays an outage, as in the other modes. Failover has cases of its own.
 */
const NO_FAILOVER = { downAfterMs: 600_000, failoverTimeoutMs: 600_000 };

/** One Redis topology started for one case, on spare ports, in a scratch directory of its own. */
export interface RedisUnderTest {
  /** What points an app at it. */
  readonly env: Readonly<Record<string, string>>;
  /** The server the cases kill or hang: the server, the master, or one master of a cluster. */
  readonly victim: RedisProcess;
  /** `count` texts whose cache keys live on the victim: any text, except in a cluster. */
  textsOnVictim(sut: TestApp, prefix: string, count: number): Promise<string[]>;
  /** Kills every process it started and removes its files. */
  stop(): Promise<void>;
}

type Admin = Awaited<ReturnType<RedisProcess['connect']>>;

/** The hash slots `admin`'s node serves, from its own line of CLUSTER NODES. */
async function ownSlots(admin: Admin): Promise<(slot: number) => boolean> {
  const nodes: unknown = await admin.sendCommand(['CLUSTER', 'NODES']);
  if (typeof nodes !== 'string') throw new Error('CLUSTER NODES did not answer text');
  const mine = nodes.split('\n').find((line) => line.includes('myself')) ?? '';
  const ranges = mine
    .split(' ')
    .slice(8)
    .map((range) => range.split('-').map(Number));
  return (slot) => ranges.some(([from = -1, to = from]) => slot >= from && slot <= to);
}

/**
 * Texts whose keys the victim holds, so that with the victim down each request's every Redis
 * command goes to it: one more failure in a row for the breaker, whatever the other masters do.
 */
async function textsOnClusterNode(
  node: RedisProcess,
  sut: TestApp,
  prefix: string,
  count: number,
): Promise<string[]> {
  const admin = await node.connect();
  try {
    const owns = await ownSlots(admin);
    const model = sut.inference.resolveModel();
    const texts: string[] = [];
    for (let i = 0; texts.length < count; i++) {
      const text = `${prefix} ${i}: the invoice is attached`;
      const slot = Number(
        await admin.sendCommand(['CLUSTER', 'KEYSLOT', predictionKey(model, text)]),
      );
      if (owns(slot)) texts.push(text);
    }
    return texts;
  } finally {
    admin.destroy();
  }
}

function anyTexts(prefix: string, count: number): Promise<string[]> {
  return Promise.resolve(
    Array.from({ length: count }, (_, i) => `${prefix} ${i}: the invoice is attached`),
  );
}

async function startIn(mode: RedisModeName, scratch: Scratch) {
  switch (mode) {
    case 'plain': {
      const port = await freePort();
      const server = new RedisProcess(
        port,
        scratch.write('plain.conf', baseConfig(port, scratch.dir)),
      );
      await server.start();
      return { env: { REDIS_URL: `redis://127.0.0.1:${port}` }, victim: server, all: [server] };
    }
    case 'TLS': {
      const tls = await startTlsServer(scratch);
      return { env: tlsEnv(tls), victim: tls.server, all: [tls.server] };
    }
    case 'Sentinel': {
      const set = await startSentinels(scratch, NO_FAILOVER);
      return {
        env: sentinelEnv(set),
        victim: set.master,
        all: [set.master, set.replica, ...set.sentinels],
      };
    }
    case 'Cluster': {
      const nodes = await startCluster(scratch);
      return {
        env: { REDIS_CLUSTER_NODES: `127.0.0.1:${nodes[0].port}` },
        victim: nodes[2],
        all: nodes,
      };
    }
  }
}

/** Starts Redis in `mode` on spare ports; each call gets servers and files of its own. */
export async function startRedisIn(mode: RedisModeName): Promise<RedisUnderTest> {
  const scratch = new Scratch();
  const started = await startIn(mode, scratch).catch((error: unknown) => {
    scratch.dispose();
    throw error;
  });
  const { env, victim, all } = started;
  return {
    env,
    victim,
    textsOnVictim: (sut, prefix, count) =>
      mode === 'Cluster' ? textsOnClusterNode(victim, sut, prefix, count) : anyTexts(prefix, count),
    stop: async () => {
      await killAll(all);
      scratch.dispose();
    },
  };
}
