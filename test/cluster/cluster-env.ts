import type { HealthCheckTimings } from '../../tools/cluster/haproxy-config';
import { SHIPPED_MODELS_DIR } from '../../tools/common/model-dirs';

/**
 * Health checks every 100 ms, two failures take a replica out: HAProxy notices a draining
 * replica within ~0.2 s plus a check's time, well inside the replicas' SHUTDOWN_DELAY_MS below.
 */
export const TEST_CHECKS: HealthCheckTimings = {
  intervalMs: 100,
  timeoutMs: 100,
  fall: 2,
  rise: 1,
};

/**
 * What every replica of a test cluster runs with, set explicitly (the test process's own
 * environment is inherited otherwise): the small model on the event loop, quiet logs, and a
 * drain delay ten times HAProxy's detection time.
 */
export function replicaEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    MODELS_DIR: SHIPPED_MODELS_DIR,
    MODELS: 'spam-en',
    INFERENCE_WORKERS: '0',
    INFERENCE_WORKER_SCRIPT: '',
    LOG_LEVEL: 'warn',
    RATE_LIMIT: '0',
    REDIS_URL: '',
    // Generous Redis budgets: on a loaded machine a round trip can pass the production 50 ms,
    // and an open breaker would turn DELETE /cache into a 503. Tests of the budgets set theirs.
    CACHE_TIMEOUT_MS: '5000',
    RATE_LIMIT_TIMEOUT_MS: '5000',
    SHUTDOWN_DELAY_MS: '2000',
    SHUTDOWN_GRACE_MS: '10000',
    DOCS_ENABLED: 'false',
    PLAYGROUND_ENABLED: 'false',
    ...extra,
  };
}
