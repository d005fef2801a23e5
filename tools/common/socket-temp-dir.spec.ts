import { describe, expect, it } from '@jest/globals';
import { socketTempRoot } from './socket-temp-dir';

describe(socketTempRoot.name, () => {
  it('keeps a short TMPDIR and falls back to /tmp where a socket under it would not fit', () => {
    expect(socketTempRoot('/tmp')).toBe('/tmp');
    expect(socketTempRoot('/run/user/1000')).toBe('/run/user/1000');
    expect(socketTempRoot(`/tmp/${'x'.repeat(120)}`)).toBe('/tmp');
  });
});
