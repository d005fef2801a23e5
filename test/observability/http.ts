import type { TestApp } from '../helpers/test-app';

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (tests assert on its shape). */
  readonly body: unknown;
}

export interface SendOptions {
  readonly method?: string;
  readonly json?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A real HTTP request to an app started with `listen: true`. These tests go over a socket
 * rather than `inject` so they also see what a scraper or a kubelet would.
 */
export async function send(
  app: TestApp,
  path: string,
  options: SendOptions = {},
): Promise<HttpResponse> {
  if (app.baseUrl === undefined) throw new Error('start the app with { listen: true }');
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${app.baseUrl}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not every response is JSON (the metrics exposition is text).
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}
