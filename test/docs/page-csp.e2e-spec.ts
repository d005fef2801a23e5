import { startTestApp, type TestApp } from '../helpers/test-app';

function directives(header: unknown): Map<string, string> {
  return new Map(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

describe('Content-Security-Policy of the pages', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(() => sut?.close());

  const get = (url: string) => sut.inject({ method: 'GET', url });

  it('keeps the strictest policy on API routes', async () => {
    for (const url of ['/models', '/health', '/openapi.json', '/no-such-route', '/docsx']) {
      expect((await get(url)).headers['content-security-policy']).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
    }
  });

  it.each(['/', '/playground/playground.js', '/playground/playground.css'])(
    'lets %s load only its own scripts, styles and API, inline code refused',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      const csp = directives(response.headers['content-security-policy']);
      expect(Object.fromEntries(csp)).toEqual({
        'default-src': "'none'",
        'script-src': "'self'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'connect-src': "'self'",
        'base-uri': "'none'",
        'form-action': "'none'",
        'frame-ancestors': "'none'",
      });
    },
  );

  it.each(['/docs', '/docs/', '/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js'])(
    'lets %s use inline styles as well, but still no inline or foreign script',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      const csp = directives(response.headers['content-security-policy']);
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('style-src')).toBe("'self' 'unsafe-inline'");
      expect(csp.get('connect-src')).toBe("'self'");
      expect(csp.get('default-src')).toBe("'none'");
    },
  );
});
