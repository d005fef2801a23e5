import { ENV_VARIABLES } from '../../src/config/env.schema';

/**
 * Variables the global setup sets itself (see global-setup.ts); every other variable of the
 * app's configuration is the test's to choose.
 */
const SET_BY_SETUP = new Set<string>(['INFERENCE_WORKER_SCRIPT']);

/**
 * Removes the app's configuration variables (src/config/env.schema.ts) from `env` and returns
 * the names it removed. A developer's shell often exports some (REDIS_URL, PORT, LOG_LEVEL,
 * RATE_LIMIT, …), and three paths read them: the Lambda handler (`loadConfig(process.env)`),
 * the production processes the tests spawn with `{ ...process.env, … }`, and the replicas of
 * the local cluster. Each test states the configuration it needs; nothing else may reach it.
 */
export function removeAppVariables(env: NodeJS.ProcessEnv): string[] {
  const removed: string[] = [];
  for (const name of ENV_VARIABLES) {
    if (SET_BY_SETUP.has(name) || env[name] === undefined) continue;
    delete env[name];
    removed.push(name);
  }
  return removed;
}
