import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXAMPLE_APP_ENV,
  findCurlExamples,
  runCurlExamples,
  withResponses,
} from '../../tools/docs/readme-examples';

// `npm run docs:examples` sets this, as `jest -u` updates snapshots: the real responses are
// written into the README instead of compared (the app needs Nest's decorator metadata, which
// only this compiled test setup has).
const UPDATE = process.env.UPDATE_README_EXAMPLES === '1';
import { REPO_ROOT, startTestApp, type TestApp } from '../helpers/test-app';

describe("the README's curl examples", () => {
  const readmePath = join(REPO_ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const examples = findCurlExamples(readme);
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ ...EXAMPLE_APP_ENV });
  });

  afterAll(async () => {
    await sut.close();
  });

  (UPDATE ? it.skip : it)('are found', () => {
    // Guards the parser: a README edit must not silently leave examples unchecked.
    expect(examples.length).toBeGreaterThanOrEqual(12);
  });

  it('name model versions the server really serves', () => {
    const served = new Set(
      ['spam-en', 'lang-id'].map((name) => sut.inference.resolveModel(name).version),
    );
    const named = examples.flatMap((example) =>
      [...`${example.url} ${example.body ?? ''}`.matchAll(/version["=:\s]+"?([0-9a-f]{12})/g)].map(
        (match) => match[1],
      ),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const version of named) expect(served).toContain(version);
  });

  it('document exactly what the server answers (npm run docs:examples rewrites them)', async () => {
    const responses = await runCurlExamples((request) => sut.inject(request), examples);
    if (UPDATE) {
      writeFileSync(readmePath, withResponses(readme, examples, responses));
      return;
    }
    const documented = examples.map((example) => `${example.command}\n# ${example.documented}`);
    const actual = examples.map((example, i) => `${example.command}\n# ${responses[i]}`);
    expect(documented).toEqual(actual);
  });
});
