import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { LocalCluster } from '../../tools/cluster/local-cluster';
import { replicaEnv, TEST_CHECKS } from './cluster-env';
import { noFailures, SteadyLoad } from './steady-load';

interface Answer {
  readonly response: IncomingMessage;
  readonly socket: Socket;
}

function classifyOn(url: string, agent: Agent, text: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/classify`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ response, socket: req.socket as Socket }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ text }));
  });
}

describe('rolling restart behind the load balancer', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ env: replicaEnv(), checks: TEST_CHECKS });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('restarts every replica under keep-alive load with zero failed requests', async () => {
    const load = new SteadyLoad(cluster.url, {
      clients: 16,
      body: (n) => ({ text: `rolling restart message ${n % 500}` }),
    });
    try {
      await load.waitForMore(200);
      for (const replica of cluster.replicas) {
        replica.signal('SIGTERM');
        // The order that makes it safe: the balancer takes the replica out while it still
        // serves, and only then does the replica stop accepting connections.
        await cluster.waitForState(replica, 'DOWN');
        expect(replica.hasExited).toBe(false);
        expect(await replica.whenExited()).toBe(0);
        await replica.start();
        await cluster.waitForState(replica, 'UP');
        await load.waitForMore(200);
      }
    } finally {
      await load.stop();
    }
    const tally = load.tally();
    expect(load.failureSamples()).toEqual([]);
    expect(noFailures(tally)).toBe(true);
    expect(tally.statuses[200]).toBe(tally.sent);
    console.log(`rolling restart of 3 replicas: ${JSON.stringify(tally)}`);
  }, 180_000);

  it('answers with Connection: close while draining and closes idle keep-alive sockets cleanly', async () => {
    const replica = cluster.replicas[0];
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await classifyOn(replica.url, agent, 'before the drain');
      expect(first.response.headers.connection).toBe('keep-alive');
      const idle = first.socket;
      const closed = once(idle, 'close');
      const reset: Error[] = [];
      idle.on('error', (error) => reset.push(error));

      replica.signal('SIGTERM');
      await cluster.waitForState(replica, 'DOWN');
      // Still served during the drain delay, on a fresh connection, and told to close it.
      const during = await classifyOn(replica.url, new Agent({ keepAlive: true }), 'draining');
      expect(during.response.statusCode).toBe(200);
      expect(during.response.headers.connection).toBe('close');

      expect(await replica.whenExited()).toBe(0);
      await closed;
      expect(reset).toEqual([]);
    } finally {
      agent.destroy();
      if (!replica.running) await replica.start();
    }
  }, 60_000);
});
