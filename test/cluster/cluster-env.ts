import type { HealthCheckTimings } from '../../tools/cluster/haproxy-config';
import { SHIPPED_MODELS_DIR } from '../../tools/common/model-dirs';

/**
 * Health checks every 100 ms, two failures take a replica out: HAProxy notices a draining
 * replica (which answers 503 at once) within ~0.2 s, well inside the replicas'
 * SHUTDOWN_DELAY_MS below. A check may take up to 1 s: on a busy machine a healthy replica
 * can answer /ready slowly, and a 100 ms timeout would take it out too (and, with another
 * replica draining, leave HAProxy nothing to route to).
 */
export const TEST_CHECKS: HealthCheckTimings = {
  intervalMs: 100,
  timeoutMs: 1000,
  fall: 2,
  rise: 1,
};

/**
 * What every replica of a test cluster runs with, set explicitly (the test process's own
 * environment is inherited otherwise): the small model on the event loop, quiet logs, and a
 * drain delay (4 s) above check interval × fall + check timeout (1.2 s), the rule k8s/ follows,
 * with room for a machine so busy that HAProxy's checks run late.
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
    SHUTDOWN_DELAY_MS: '4000',
    SHUTDOWN_GRACE_MS: '10000',
    DOCS_ENABLED: 'false',
    PLAYGROUND_ENABLED: 'false',
    ...extra,
  };
}
