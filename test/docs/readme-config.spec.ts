import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARIABLES, loadConfig } from '../../src/config';
import { REPO_ROOT } from '../helpers/test-app';

function readmeConfigTable(): Map<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme
    .split('<!-- config-table:start -->')[1]
    ?.split('<!-- config-table:end -->')[0];
  if (table === undefined) throw new Error('README.md has no config table markers');
  const rows = new Map<string, string>();
  for (const line of table.split('\n')) {
    const match = /^\| `([A-Z0-9_]+)` \| ([^|]+) \|/.exec(line);
    if (match) rows.set(match[1], match[2].trim());
  }
  return rows;
}

describe('README configuration table', () => {
  const rows = readmeConfigTable();
  const defaults = loadConfig({}) as Record<string, unknown>;

  it('documents exactly the variables the schema reads', () => {
    expect([...rows.keys()].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it.each([...ENV_VARIABLES])('shows the real default of %s', (variable) => {
    const value = defaults[variable];
    const documented = rows.get(variable);
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      expect(documented).toMatch(/^\(.+\)$/);
    } else {
      const shown = Array.isArray(value)
        ? value.join(',')
        : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : JSON.stringify(value);
      expect(documented).toBe(`\`${shown}\``);
    }
  });
});
