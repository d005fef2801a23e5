/**
 * Reference 3, run as a child process: the HTTP ceiling — a bare Fastify route that parses
 * the same JSON body and answers a constant, Sift-shaped JSON result.
 *
 *   tsx bench/bare-fastify.ts --port 8002
 */
import Fastify from 'fastify';
import { parseArgs } from 'node:util';

const ANSWER = {
  label: 'ham',
  score: 0.98,
  scores: { ham: 0.98, spam: 0.02 },
  prediction: [0.98, 0.02],
  confidence: 0.98,
  model: 'bare',
  model_version: '000000000000',
  truncated: false,
  cached: true,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port)) throw new Error('usage: bare-fastify.ts --port <port>');
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.get('/ready', () => ({ status: 'ok' }));
  app.post('/classify', () => ANSWER);
  await app.listen({ port, host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
