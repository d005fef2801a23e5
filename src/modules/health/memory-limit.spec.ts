import { detectMemoryLimit, type ReadText } from './memory-limit';

const GIB = 1024 ** 3;

function files(contents: Record<string, string>): ReadText {
  return (path) => contents[path];
}

describe(detectMemoryLimit.name, () => {
  it('uses the cgroup v2 limit when it is below system memory', () => {
    const read = files({ '/sys/fs/cgroup/memory.max': `${2 * GIB}\n` });
    expect(detectMemoryLimit(read, 16 * GIB)).toEqual({ bytes: 2 * GIB, source: 'cgroup' });
  });

  it('falls back to system memory when cgroup v2 says max', () => {
    const read = files({ '/sys/fs/cgroup/memory.max': 'max\n' });
    expect(detectMemoryLimit(read, 16 * GIB)).toEqual({ bytes: 16 * GIB, source: 'system' });
  });

  it('reads cgroup v1 and ignores its "unlimited" sentinel', () => {
    const limited = files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': `${GIB}` });
    expect(detectMemoryLimit(limited, 16 * GIB)).toEqual({ bytes: GIB, source: 'cgroup' });
    const unlimited = files({
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712',
    });
    expect(detectMemoryLimit(unlimited, 16 * GIB)).toEqual({ bytes: 16 * GIB, source: 'system' });
  });

  it('uses system memory outside a container', () => {
    expect(detectMemoryLimit(files({}), 8 * GIB)).toEqual({ bytes: 8 * GIB, source: 'system' });
  });
});
