import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const CGROUP_CPU_MAX = '/sys/fs/cgroup/cpu.max';

/**
 * Cores a cgroup v2 `cpu.max` line ("<quota> <period>", or "max <period>") allows, rounded
 * up; undefined when unlimited or unreadable.
 */
export function coresFromCpuMax(line: string): number | undefined {
  const [quota, period] = line.trim().split(/\s+/);
  const quotaUs = Number(quota);
  const periodUs = Number(period);
  if (quota === 'max' || !(quotaUs > 0) || !(periodUs > 0)) return undefined;
  return Math.max(1, Math.ceil(quotaUs / periodUs));
}

/**
 * Cores this process may really use: the CPUs it can run on, capped by a container's CPU
 * limit. ONNX Runtime's own default counts the host's cores, so in a pod limited to 2 CPUs on
 * a 64-core node it would start 64 threads per session and be throttled.
 */
export function cpuBudget(cpuMaxFile = CGROUP_CPU_MAX): CpuBudget {
  let limit: number | undefined;
  try {
    limit = coresFromCpuMax(readFileSync(cpuMaxFile, 'utf8'));
  } catch {
    limit = undefined;
  }
  const cpus = availableParallelism();
  return { cores: limit === undefined ? cpus : Math.min(limit, cpus) };
}

export interface CpuBudget {
  readonly cores: number;
}
