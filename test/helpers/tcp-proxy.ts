import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to 127.0.0.1:`targetPort` that a test can make hang: while hung it accepts
 * connections and bytes but forwards nothing, as a Redis that took a command and never
 * answers would look from the client. `resume()` delivers what it held.
 */
export class TcpProxy {
  private hung = false;
  private held = 0;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; queue: Buffer[] }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const proxy = new TcpProxy(server, address.port);
    server.on('connection', (client: Socket) => proxy.relay(client, targetPort));
    return proxy;
  }

  /** Bytes clients sent while hung (commands written to the socket and never answered). */
  get heldBytes(): number {
    return this.held;
  }

  get hanging(): boolean {
    return this.hung;
  }

  hang(): void {
    this.hung = true;
  }

  resume(): void {
    this.hung = false;
    for (const pair of this.pairs) {
      for (const chunk of pair.queue.splice(0)) pair.upstream.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.server.close();
    await once(this.server, 'close');
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream, queue: [] as Buffer[] };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (!this.hung) {
        upstream.write(chunk);
        return;
      }
      this.held += chunk.length;
      pair.queue.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  }
}
