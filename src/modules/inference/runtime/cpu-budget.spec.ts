import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { coresFromCpuMax, cpuBudget } from './cpu-budget';

describe('cpu budget', () => {
  it('reads a cgroup v2 CPU limit, rounding partial cores up', () => {
    expect(coresFromCpuMax('200000 100000\n')).toBe(2);
    expect(coresFromCpuMax('150000 100000')).toBe(2);
    expect(coresFromCpuMax('50000 100000')).toBe(1);
    expect(coresFromCpuMax('max 100000')).toBeUndefined();
    expect(coresFromCpuMax('garbage')).toBeUndefined();
    expect(coresFromCpuMax('')).toBeUndefined();
  });

  it('caps the usable CPUs by the limit, and ignores a missing or unlimited file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sift-cpu-'));
    try {
      const file = join(dir, 'cpu.max');
      writeFileSync(file, '100000 100000\n');
      expect(cpuBudget(file)).toEqual({ cores: 1 });
      writeFileSync(file, 'max 100000\n');
      expect(cpuBudget(file)).toEqual({ cores: availableParallelism() });
      // A limit above the CPUs this process may use (a fixed 64 would cap a bigger host).
      writeFileSync(file, `${(availableParallelism() + 1) * 100000} 100000\n`);
      expect(cpuBudget(file)).toEqual({ cores: availableParallelism() });
      expect(cpuBudget(join(dir, 'absent'))).toEqual({ cores: availableParallelism() });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
