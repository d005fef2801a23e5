import { request } from 'node:http';

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

/** One request on a connection of its own (no keep-alive), JSON in and out. */
export function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<JsonAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /classify of one text; resolves with the answer's `cached` flag. */
export async function classifyCached(baseUrl: string, text: string): Promise<boolean> {
  const answer = await call(`${baseUrl}/classify`, 'POST', { text });
  if (answer.status !== 200) throw new Error(`classify: HTTP ${answer.status}`);
  return answer.body.cached === true;
}
