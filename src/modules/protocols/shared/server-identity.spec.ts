import { readFileSync } from 'node:fs';
import { SERVER_VERSION } from './server-identity';

describe('SERVER_VERSION', () => {
  it('is the version package.json declares', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(SERVER_VERSION).toBe(manifest.version);
  });
});
