import { describeCpu, readCpuFeatures } from './cpu-features';

const cpuinfo = (flags: string) => () =>
  `processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 ${flags}\n\nprocessor\t: 1\n`;

describe(readCpuFeatures.name, () => {
  it('says U8S8 saturates on an x86-64 host with AVX2 and no VNNI', () => {
    const sut = readCpuFeatures({ arch: 'x64', cpuinfo: cpuinfo('avx avx2 fma') });

    expect(sut.u8s8Saturates).toBe(true);
    expect(sut.flags).toEqual(['avx2', 'fma']);
  });

  it('says AVX-512 without VNNI saturates too', () => {
    expect(
      readCpuFeatures({ arch: 'x64', cpuinfo: cpuinfo('avx2 avx512f avx512bw') }).u8s8Saturates,
    ).toBe(true);
  });

  it.each(['avx512_vnni', 'avx_vnni'])('says %s keeps 32-bit sums', (vnni) => {
    const sut = readCpuFeatures({ arch: 'x64', cpuinfo: cpuinfo(`avx2 avx512f ${vnni}`) });

    expect(sut.u8s8Saturates).toBe(false);
    expect(sut.flags).toContain(vnni);
  });

  it('never warns on arm64, whose int8 kernels accumulate in 32 bits', () => {
    expect(readCpuFeatures({ arch: 'arm64', cpuinfo: cpuinfo('') }).u8s8Saturates).toBe(false);
  });

  it('leaves the answer unknown when the flags cannot be read', () => {
    const sut = readCpuFeatures({ arch: 'x64', cpuinfo: () => '' });

    expect(sut.u8s8Saturates).toBeUndefined();
    expect(describeCpu(sut)).toMatch(/\(x64; flags unknown\)$/);
  });

  it('describes the CPU with its model and reported flags', () => {
    const sut = readCpuFeatures({ arch: 'x64', cpuinfo: cpuinfo('avx2 avx512_vnni sse4_2') });

    expect(describeCpu(sut)).toBe(`${sut.model} (x64; avx2 avx512_vnni)`);
  });
});
