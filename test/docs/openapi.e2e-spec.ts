import { createConfig, lintFromString } from '@redocly/openapi-core';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { postJson, REPO_ROOT, startTestApp, type TestApp } from '../helpers/test-app';
import { registeredRoutes } from './registered-routes';

const ADMIN_API_KEY = 'openapi-test-admin-key';

/** Served for people and tools, not part of the API the document describes. */
const DOCUMENTATION_ROUTES = /^\/(?:$|docs(?:\/.*)?$|openapi\.(?:json|yaml)$|playground\/)/;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let sut: TestApp;
  let served: Document;

  beforeAll(async () => {
    sut = await startTestApp({ ADMIN_API_KEY, MODELS: 'spam-en,lang-id' });
    const response = await sut.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    served = JSON.parse(response.body);
  });

  afterAll(() => sut?.close());

  it("is OpenAPI 3.1 with no problem under Redocly's recommended rules", async () => {
    expect(served.openapi).toBe('3.1.0');
    const problems = await lintFromString({
      source: JSON.stringify(served),
      absoluteRef: 'openapi.json',
      config: await createConfig({
        extends: ['recommended'],
        rules: {
          // No `servers` means "this server" (OpenAPI 3.1 §4.8.1), which is what we mean.
          'no-empty-servers': 'off',
          // Only admin routes take a key; the others are public on purpose.
          'security-defined': 'off',
          // The probes, /metrics and /models take no input, so they have no 4xx to document.
          'operation-4xx-response': 'off',
        },
      }),
    });
    const report = problems.map((problem) => ({
      rule: problem.ruleId,
      severity: problem.severity,
      message: problem.message,
      at: problem.location.map((location) => location.pointer),
    }));
    expect(report).toEqual([]);
  });

  it('equals the committed docs/openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(served).toEqual(committed);
  });

  it('serves the same document as YAML at /openapi.yaml', async () => {
    const response = await sut.inject({ method: 'GET', url: '/openapi.yaml' });
    expect(response.statusCode).toBe(200);
    expect(parseYaml(response.body)).toEqual(served);
  });

  it('describes every route the app serves, with the method it answers', () => {
    const routes = registeredRoutes(sut.app.getHttpAdapter().getInstance()).filter(
      (route) => !DOCUMENTATION_ROUTES.test(route.path),
    );
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const missing = routes.filter(
      (route) => served.paths[route.path]?.[route.method.toLowerCase()] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it('offers the admin key as X-Api-Key and as a Bearer token on the admin route', () => {
    const security = (served.paths['/cache'].delete as unknown as { security: object[] }).security;
    expect(security).toEqual(expect.arrayContaining([{ apiKey: [] }, { bearer: [] }]));
  });

  describe('matches real answers', () => {
    // The whole document is registered as one schema, so the response schemas' `$ref`s to
    // `#/components/schemas/...` resolve inside it; `example` and other OpenAPI words are
    // annotations to ajv (strict: false).
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const DOCUMENT_ID = 'sift-openapi.json';
    const pointer = (...parts: string[]) =>
      parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

    beforeAll(() => {
      ajv.addSchema(served, DOCUMENT_ID);
    });

    function expectValid(path: string, method: string, status: number, body: unknown): void {
      const content = served.paths[path][method].responses[String(status)]?.content;
      if (content?.['application/json'] === undefined) {
        throw new Error(`${method} ${path} documents no ${status} JSON body`);
      }
      const at = pointer('paths', path, method, 'responses', String(status), 'content');
      const validate = ajv.compile({ $ref: `${DOCUMENT_ID}#/${at}/application~1json/schema` });
      expect({ valid: validate(body), errors: validate.errors ?? [] }).toEqual({
        valid: true,
        errors: [],
      });
    }

    it.each([
      ['/classify', { text: 'Win a FREE cruise now, click here' }],
      ['/classify/batch', { texts: ['Bonjour, comment allez-vous ?'], model: 'lang-id', top_k: 3 }],
      [
        '/rerank',
        { query: 'lunch?', texts: ['Lunch on Thursday', 'FREE cruise'], return_text: true },
      ],
      ['/v1/rerank', { query: 'lunch?', documents: ['Lunch on Thursday'], return_documents: true }],
    ])('POST %s 200', async (path, payload) => {
      const response = await postJson(sut, path, payload);
      expect(response.statusCode).toBe(200);
      expectValid(path, 'post', 200, response.json());
    });

    it.each([
      ['/classify', 400, { text: '' }],
      ['/classify', 404, { text: 'hello', model: 'no-such-model' }],
      ['/classify', 422, { text: 'see <script>alert(1)</script>' }],
    ])('POST %s %i', async (path, status, payload) => {
      const response = await postJson(sut, path, payload);
      expect(response.statusCode).toBe(status);
      expectValid(path, 'post', status, response.json());
    });

    it.each([
      ['/models', 200, {}],
      ['/health', 200, {}],
      ['/ready', 200, {}],
    ])('GET %s %i', async (path, status) => {
      const response = await sut.inject({ method: 'GET', url: path });
      expect(response.statusCode).toBe(status);
      expectValid(path, 'get', status, response.json());
    });

    it('DELETE /cache 200 and 401', async () => {
      const url = '/cache?model=spam-en';
      const allowed = await sut.inject({
        method: 'DELETE',
        url,
        headers: { 'x-api-key': ADMIN_API_KEY },
      });
      expect(allowed.statusCode).toBe(200);
      expectValid('/cache', 'delete', 200, allowed.json());
      const refused = await sut.inject({ method: 'DELETE', url });
      expect(refused.statusCode).toBe(401);
      expectValid('/cache', 'delete', 401, refused.json());
    });
  });
});

describe('DOCS_ENABLED and PLAYGROUND_ENABLED', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ DOCS_ENABLED: 'false', PLAYGROUND_ENABLED: 'false' });
  });

  afterAll(() => sut?.close());

  it.each([
    '/openapi.json',
    '/openapi.yaml',
    '/docs',
    '/docs/swagger-ui.css',
    '/playground/playground.js',
  ])('turned off, GET %s is a 404 in the error shape under the strict API CSP', async (url) => {
    const response = await sut.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
  });

  it('turned off, GET / is a 405: the path still takes the Hugging Face API POST', async () => {
    const response = await sut.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
  });
});
