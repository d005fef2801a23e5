// `npm test` runs this first (chained in its script, since .npmrc's ignore-scripts skips
// pre-scripts): the suites talk to a real Redis, validate the metrics exposition with
// Prometheus' promtool, drive a real browser and put HAProxy in front of a local cluster, so a
// missing prerequisite is named here once, with its install command, instead of failing many
// suites.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

// The port is overridable only so that this script's own test can point it at a closed one.
const REDIS = { host: '127.0.0.1', port: Number(process.env.SIFT_PREREQ_REDIS_PORT ?? 6379) };

/** Resolves to true when a Redis server answers PING within the deadline. */
function redisAnswers(deadlineMs = 3000) {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(deadlineMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function commandRuns(command, args) {
  const run = spawnSync(command, args, { stdio: 'ignore' });
  return run.error === undefined && run.status === 0;
}

const checks = [
  {
    what: 'the npm dependencies',
    ok: async () => existsSync('node_modules/.package-lock.json'),
    install: 'npm ci',
  },
  {
    what: `a Redis server on ${REDIS.host}:${REDIS.port}`,
    ok: () => redisAnswers(),
    install:
      'apt-get install -y redis-server && redis-server --daemonize yes --save "" --appendonly no' +
      '  (macOS: brew install redis && brew services start redis)',
  },
  {
    // A Redis in a container answers on 6379 but leaves no binary: the outage and state suites
    // start (and kill) servers of their own (test/helpers/processes.ts, DisposableRedis).
    what: 'redis-server on the PATH (suites start throwaway servers of their own)',
    ok: async () => commandRuns('redis-server', ['--version']),
    install: 'apt-get install -y redis-server  (macOS: brew install redis)',
  },
  {
    what: "Prometheus' promtool (checks the /metrics exposition)",
    ok: async () => commandRuns('promtool', ['--version']),
    install:
      'apt-get install -y --no-install-recommends prometheus  (macOS: brew install prometheus)',
  },
  {
    what: `Chromium at ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} (the browser tests)`,
    ok: async () => commandRuns(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version']),
    install: 'apt-get install -y chromium  (or set CHROMIUM_PATH to another Chromium build)',
  },
  {
    what: 'the openssl CLI (the Redis TLS tests make their certificates with it)',
    ok: async () => commandRuns('openssl', ['version']),
    install: 'apt-get install -y openssl',
  },
  {
    what: `HAProxy at ${process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy'} (the cluster tests)`,
    ok: async () => commandRuns(process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy', ['-v']),
    install: 'apt-get install -y --no-install-recommends haproxy  (or set HAPROXY_PATH)',
  },
];

const missing = [];
for (const check of checks) {
  if (!(await check.ok())) missing.push(check);
}
if (missing.length > 0) {
  const lines = missing.map((check) => `  - ${check.what}: ${check.install}`);
  console.error(
    [`npm test needs ${missing.length === 1 ? 'one more thing' : 'a few more things'}:`, ...lines]
      .concat('(README: "Prerequisites" lists them all.)')
      .join('\n'),
  );
  process.exit(1);
}
