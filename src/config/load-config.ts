import { envSchema, type AppConfig } from './env.schema';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Validates the environment once. Empty strings count as unset, so `FOO=` in a
 * compose file falls back to the default instead of failing a number parse.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
      const received = relevant[variable];
      const shown = received === undefined ? '' : ` (got ${JSON.stringify(received)})`;
      return `${variable}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`Invalid environment variables: ${problems.join('; ')}`);
  }
  return parsed.data;
}
