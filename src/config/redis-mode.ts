import type { z } from 'zod';

interface RedisSettings {
  readonly REDIS_URL?: string;
  readonly REDIS_CLUSTER_NODES?: readonly string[];
  readonly REDIS_SENTINELS?: readonly string[];
  readonly REDIS_SENTINEL_MASTER?: string;
  readonly REDIS_SENTINEL_PASSWORD?: string;
  readonly REDIS_TLS_CERT_FILE?: string;
  readonly REDIS_TLS_KEY_FILE?: string;
}

/**
 * One way to reach Redis at a time: REDIS_URL (one server), REDIS_SENTINELS (with
 * REDIS_SENTINEL_MASTER) or REDIS_CLUSTER_NODES. A deployment that sets two would silently use
 * one of them, so start-up fails instead, naming the variables.
 */
export function checkRedisMode(settings: RedisSettings, context: z.RefinementCtx): void {
  const problem = (variable: keyof RedisSettings, message: string): void => {
    context.addIssue({ code: 'custom', path: [variable], message });
  };
  const modes = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (variable) => settings[variable] !== undefined,
  );
  if (modes.length > 1) {
    problem(modes[1], `${modes.join(' and ')} are both set: choose one way to reach Redis`);
  }
  if (settings.REDIS_SENTINELS !== undefined && settings.REDIS_SENTINEL_MASTER === undefined) {
    problem('REDIS_SENTINEL_MASTER', 'is required with REDIS_SENTINELS (the monitored name)');
  }
  if (settings.REDIS_SENTINELS === undefined) {
    for (const variable of ['REDIS_SENTINEL_MASTER', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (settings[variable] !== undefined) problem(variable, 'needs REDIS_SENTINELS');
    }
  }
  if (
    (settings.REDIS_TLS_CERT_FILE === undefined) !==
    (settings.REDIS_TLS_KEY_FILE === undefined)
  ) {
    problem('REDIS_TLS_CERT_FILE', 'mutual TLS needs REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE');
  }
}
