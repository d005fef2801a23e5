import { parseNvidiaSmi } from './gpu-probe';

describe(parseNvidiaSmi.name, () => {
  it('reads one utilisation per GPU index', () => {
    expect(parseNvidiaSmi('0, 35\n1, 100\n')).toEqual([
      { gpu: '0', percent: 35 },
      { gpu: '1', percent: 100 },
    ]);
  });

  it('leaves out GPUs that report no number, such as MIG slices', () => {
    expect(parseNvidiaSmi('0, [N/A]\n1, 7\n')).toEqual([{ gpu: '1', percent: 7 }]);
  });

  it('returns nothing for empty or unexpected output', () => {
    expect(parseNvidiaSmi('')).toEqual([]);
    expect(parseNvidiaSmi('No devices were found\n')).toEqual([]);
  });
});
