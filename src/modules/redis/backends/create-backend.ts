import type { AppConfig } from '../../../config';
import { ClusterBackend } from './cluster.backend';
import type { RedisBackend } from './redis-backend';
import { SentinelBackend } from './sentinel.backend';
import { StandaloneBackend } from './standalone.backend';

/** The backend the configuration names (config validation allows at most one); none without. */
export function createBackend(config: AppConfig): RedisBackend | undefined {
  if (config.REDIS_CLUSTER_NODES !== undefined) {
    return new ClusterBackend(config.REDIS_CLUSTER_NODES, config);
  }
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_SENTINEL_MASTER !== undefined) {
    return new SentinelBackend(
      {
        sentinels: config.REDIS_SENTINELS,
        master: config.REDIS_SENTINEL_MASTER,
        sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
      },
      config,
    );
  }
  if (config.REDIS_URL !== undefined) return new StandaloneBackend(config.REDIS_URL, config);
  return undefined;
}
