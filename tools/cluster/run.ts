/**
 * `npm run cluster [-- --replicas N --port P]`: the production build N times (3 by default)
 * behind HAProxy, sharing REDIS_URL (redis://127.0.0.1:6379 unless set). Every other variable
 * in the environment reaches the replicas as it would a pod (see docs/deploy.md, Scaling out).
 * Ctrl-C stops everything.
 */
import { parseArgs } from 'node:util';
import { LocalCluster } from './local-cluster';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    port: { type: 'string', default: '8080' },
  },
});
const replicas = Number(values.replicas);
const port = Number(values.port);
if (!Number.isInteger(replicas) || replicas < 1) throw new Error('--replicas must be 1 or more');
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port');

async function main(): Promise<void> {
  const cluster = await LocalCluster.start({
    replicas,
    port: port === 0 ? undefined : port,
    env: { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    output: (source, line) => console.log(`[${source}] ${line}`),
  });
  console.log(`\nSift: ${cluster.url}  (${replicas} replicas behind HAProxy; Ctrl-C stops all)`);
  for (const replica of cluster.replicas) console.log(`  ${replica.name}: ${replica.url}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the cluster…');
    cluster.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
