import type { Response as InjectResponse } from 'light-my-request';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  BYTE_ORDER_MARK,
  brokenJsonCases,
  contentTypeCases,
  fieldCases,
  LIMITS,
  methodAndPathCases,
  naughtyStringCases,
  naughtyStrings,
  prototypeKeyCases,
  selectionCases,
  shapeCases,
  sizeCases,
  type Case,
} from './fuzz-cases';
import { expectUniformError } from './security-support';

async function runAll(
  sut: TestApp,
  cases: readonly Case[],
): Promise<Array<[Case, InjectResponse]>> {
  const results: Array<[Case, InjectResponse]> = [];
  for (let i = 0; i < cases.length; i += 16) {
    const chunk = cases.slice(i, i + 16);
    const responses = await Promise.all(chunk.map((c) => sut.inject(c.request)));
    chunk.forEach((c, j) => results.push([c, responses[j]]));
  }
  return results;
}

function check([testCase, response]: [Case, InjectResponse]): void {
  const context = `${testCase.name} → ${response.statusCode} ${response.body.slice(0, 200)}`;
  try {
    expect(response.statusCode).toBeGreaterThanOrEqual(200);
    expect(response.statusCode).toBeLessThan(500);
    if (testCase.status !== undefined) expect(response.statusCode).toBe(testCase.status);
    if (response.statusCode >= 400 && testCase.request.method !== 'HEAD') {
      expectUniformError(response);
      if (testCase.message !== undefined) expect(response.json().message).toMatch(testCase.message);
    }
  } catch (error) {
    throw new Error(`${context}\n${(error as Error).message}`, { cause: error });
  }
}

/**
 * Generated malformed requests, then the Big List of Naughty Strings as texts. Whatever
 * arrives, the answer is a 2xx or a deliberate 4xx in the uniform error shape, never a 5xx,
 * and the process stays up with bounded memory.
 */
describe('fuzzing the HTTP surface', () => {
  let sut: TestApp;
  const generated = [
    ...fieldCases(),
    ...prototypeKeyCases(),
    ...contentTypeCases(),
    ...brokenJsonCases(),
    BYTE_ORDER_MARK,
    ...shapeCases(),
    ...sizeCases(),
    ...selectionCases(),
    ...methodAndPathCases(),
  ];
  const naughty = naughtyStringCases(naughtyStrings());

  beforeAll(async () => {
    sut = await startTestApp({
      ...Object.fromEntries(Object.entries(LIMITS).map(([key, value]) => [key, String(value)])),
      // High enough never to trigger, so the guard still runs on every classify request.
      RATE_LIMIT: '1000000',
      CORS_ORIGINS: 'https://app.example.com',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('generates well over 300 malformed requests', () => {
    expect(generated.length).toBeGreaterThanOrEqual(300);
    expect(naughty.length).toBeGreaterThanOrEqual(485);
  });

  it('answers every malformed request with a 2xx or a deliberate 4xx in the uniform shape', async () => {
    const results = await runAll(sut, generated);
    results.forEach(check);
    // Most of them really are refused, each with its own reason.
    expect(results.filter(([, r]) => r.statusCode >= 400).length).toBeGreaterThan(
      generated.length * 0.8,
    );
  });

  it('classifies or deliberately refuses every naughty string', async () => {
    const results = await runAll(sut, naughty);
    results.forEach(check);
    const statuses = new Set(results.map(([, r]) => r.statusCode));
    expect([...statuses].every((status) => [200, 400, 404, 422].includes(status))).toBe(true);
    // One naughty text refuses its whole batch, and most are no model name; single texts mostly pass.
    const singles = results.filter(([c]) => c.name.startsWith('naughty string'));
    expect(singles.filter(([, r]) => r.statusCode === 200).length).toBeGreaterThan(
      singles.length / 2,
    );
  });

  it('stays alive, with bounded memory, after running the whole corpus twice more', async () => {
    const before = process.memoryUsage();
    for (let pass = 0; pass < 2; pass++)
      (await runAll(sut, [...generated, ...naughty])).forEach(check);
    const after = process.memoryUsage();
    // Generous bounds: a leak of even 100 bytes per request and pass would not show, but a
    // retained body (the corpus holds several MiB bodies) or an unbounded map would.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(256 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(512 * 1024 * 1024);

    const health = await sut.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const classified = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: 'still here?' },
    });
    expect(classified.statusCode).toBe(200);
  });
});
