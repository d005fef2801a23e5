import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface NdjsonExchange {
  readonly request: ClientRequest;
  /** Resolves with the response as soon as its headers arrive. */
  readonly response: Promise<IncomingMessage>;
}

/**
 * POSTs `lines` (each without its newline) to an NDJSON route over real HTTP, streamed: the body
 * is written as the server reads it, so backpressure works as with any client.
 */
export function postNdjson(
  baseUrl: string,
  path: string,
  lines: Iterable<string> | AsyncIterable<string>,
): NdjsonExchange {
  const request = httpRequest(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
  });
  // The headers go out as soon as the socket connects rather than with the first body chunk:
  // Node counts the server's headers timeout (HTTP_REQUEST_TIMEOUT_MS) from the connection, so
  // a body source slow to start (a busy test process) must not read as a slow client's headers.
  request.flushHeaders();
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const body = Readable.from(withNewlines(lines), { objectMode: false });
  // A client that leaves on purpose ends its body with an error; the test sees the response.
  pipeline(body, request).catch(() => undefined);
  return { request, response };
}

async function* withNewlines(
  lines: Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<string> {
  for await (const line of lines) yield `${line}\n`;
}

/** The answer's lines as they arrive, each parsed. */
export async function* answerLines(response: IncomingMessage): AsyncGenerator<unknown> {
  let rest = '';
  response.setEncoding('utf8');
  for await (const chunk of response as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) yield JSON.parse(part) as unknown;
  }
  if (rest.length > 0) yield JSON.parse(rest) as unknown;
}

/** Sends the lines and collects every answer line. */
export async function streamNdjson(
  baseUrl: string,
  path: string,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<{ status: number; contentType: string | undefined; answers: unknown[] }> {
  const response = await postNdjson(baseUrl, path, lines).response;
  const answers: unknown[] = [];
  for await (const answer of answerLines(response)) answers.push(answer);
  return {
    status: response.statusCode ?? 0,
    contentType: response.headers['content-type'],
    answers,
  };
}
