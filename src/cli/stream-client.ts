import { setTimeout as sleep } from 'node:timers/promises';
import type { InputRow } from './input-rows';

/** One POST of NDJSON lines to `/classify/stream`: the status, Retry-After and the answer. */
export type PostStream = (body: string) => Promise<StreamReply>;

export interface StreamReply {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly text: string;
}

/** A row's line for the output file (`ok`) or the errors file. */
export interface RowAnswer {
  readonly ok: boolean;
  readonly json: string;
}

/**
 * Statuses worth sending again: the server is busy or limiting us, not refusing the row. A 408
 * line is the first line a stream did not read before its body went idle (a stalled upload).
 */
const TRANSIENT = new Set([408, 429, 503, 504]);

interface ServerAnswer {
  readonly id?: unknown;
  readonly line?: unknown;
  readonly error?: { readonly statusCode?: unknown };
  readonly [field: string]: unknown;
}

/** Exponential backoff with jitter, capped at 30 s, unless the server said how long. */
export function backoffMs(attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return retryAfterSeconds * 1000;
  const base = Math.min(30_000, 250 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** Thrown when a chunk could not be classified after every retry: the run stops. */
export class GiveUpError extends Error {}

/**
 * Classifies rows through `/classify/stream`, one answer per row in row order. Sends again,
 * after a backoff that honours Retry-After, what the server could not take (a 429 or 503
 * answer, a dropped connection, rows answered 408/429/503/504, or a stream the rate limit or
 * idleness ended early); other error answers are final and go to the errors file.
 */
export async function classifyRows(
  post: PostStream,
  rows: readonly InputRow[],
  maxAttempts: number,
): Promise<RowAnswer[]> {
  const answers: (RowAnswer | undefined)[] = rows.map(() => undefined);
  let pending = rows.map((_, index) => index);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= maxAttempts) {
      throw new GiveUpError(
        `gave up after ${maxAttempts} attempts at rows from line ${rows[pending[0]].line}`,
      );
    }
    const body = pending.map((index) => requestLine(rows[index])).join('\n') + '\n';
    let reply: StreamReply;
    try {
      reply = await post(body);
    } catch (error) {
      // A dropped connection or a server restarting: the same rows again, later.
      await sleep(backoffMs(attempt));
      if (attempt + 1 >= maxAttempts) throw new GiveUpError(`connection failed: ${String(error)}`);
      continue;
    }
    if (TRANSIENT.has(reply.status)) {
      await sleep(backoffMs(attempt, reply.retryAfterSeconds));
      continue;
    }
    if (reply.status !== 200) {
      throw new GiveUpError(`the server answered ${reply.status}: ${reply.text.slice(0, 500)}`);
    }
    const lines = reply.text.split('\n').filter((line) => line.length > 0);
    const retry: number[] = [];
    pending.forEach((index, position) => {
      const answer =
        lines[position] === undefined ? undefined : (JSON.parse(lines[position]) as ServerAnswer);
      const status = answer?.error?.statusCode;
      if (answer === undefined || (typeof status === 'number' && TRANSIENT.has(status))) {
        retry.push(index);
      } else answers[index] = rowAnswer(rows[index], answer);
    });
    if (retry.length > 0) await sleep(backoffMs(attempt));
    pending = retry;
  }
  return answers.map((answer) => answer ?? { ok: false, json: '' });
}

function requestLine(row: InputRow): string {
  return JSON.stringify({ id: row.id, text: row.text, text_pair: row.textPair });
}

function rowAnswer(row: InputRow, answer: ServerAnswer): RowAnswer {
  // The server's id and line number are the request's; the files carry the input's.
  const result: Record<string, unknown> = { ...answer };
  delete result.id;
  delete result.line;
  const { error } = answer;
  if (error !== undefined) {
    return { ok: false, json: JSON.stringify({ line: row.line, id: row.id, error }) };
  }
  return { ok: true, json: JSON.stringify({ id: row.id, line: row.line, ...result }) };
}

/** Posts to a running Sift. */
export function remotePost(baseUrl: string, query: string): PostStream {
  const url = new URL(`/classify/stream${query}`, baseUrl);
  return async (body) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      text: await response.text(),
    };
  };
}
