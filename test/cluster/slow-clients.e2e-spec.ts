import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalCluster, type Replica } from '../../tools/cluster/local-cluster';
import { call } from './cluster-client';
import { replicaEnv, TEST_CHECKS } from './cluster-env';

interface Cut {
  /** What the server wrote before closing (a 408, or nothing). */
  readonly reply: string;
  /** Bytes the client had sent when the server closed the connection. */
  readonly sent: number;
}

/**
 * Writes `head`, then `trickle` one byte every 50 ms, forever: resolves when the server
 * closes the connection (a client that finished first would make the test fail by timeout).
 */
async function sendSlowly(port: number, head: string, trickle: string): Promise<Cut> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let reply = '';
  let sent = 0;
  let open = true;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (reply += chunk));
  socket.on('error', () => undefined); // a reset still means the server cut it
  const closed = once(socket, 'close').then(() => (open = false));
  socket.write(head);
  sent += head.length;
  for (let i = 0; open; i = (i + 1) % trickle.length) {
    socket.write(trickle[i]);
    sent += 1;
    await Promise.race([sleep(50), closed]);
  }
  return { reply, sent };
}

function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('slow and abusive clients', () => {
  let cluster: LocalCluster;
  let strict: Replica;
  let roomy: Replica;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      replicas: 2,
      env: replicaEnv(),
      // replica-1: a 1 s budget for the whole request and idle keep-alive; replica-2 keeps
      // the defaults, so its idle connections stay open while the test needs them.
      envFor: (index): Record<string, string> =>
        index === 0 ? { HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' } : {},
      checks: TEST_CHECKS,
    });
    [strict, roomy] = cluster.replicas;
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('cuts a client sending its headers byte by byte (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    const cut = await sendSlowly(
      strict.port,
      'POST /classify HTTP/1.1\r\nHost: sift\r\nX-Slow: ',
      'abcdefghijklmnopqrstuvwxyz',
    );
    expect(cut.reply === '' || cut.reply.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('cuts a client whose body never finishes (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    const cut = await sendSlowly(
      strict.port,
      'POST /classify HTTP/1.1\r\nHost: sift\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100000\r\n\r\n{"text": "',
      'slow ',
    );
    expect(cut.sent).toBeLessThan(100_000);
    expect(cut.reply === '' || cut.reply.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes an idle keep-alive connection (HTTP_KEEP_ALIVE_TIMEOUT_MS)', async () => {
    const socket = await openIdle(strict.port);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    const closed = once(socket, 'close');
    socket.write('GET /health HTTP/1.1\r\nHost: sift\r\n\r\n');
    await closed; // the client never closes it: only the server can end this wait
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toMatch(/keep-alive/i);
  });

  it('answers others while 1,000 idle connections are open', async () => {
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 1000; i++) idle.push(await openIdle(roomy.port));
      const answer = await call(`${roomy.url}/classify`, 'POST', { text: 'still answering' });
      expect(answer.status).toBe(200);
      expect(idle.filter((socket) => socket.closed)).toHaveLength(0);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  }, 60_000);
});
