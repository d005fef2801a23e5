import {
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  RequestTimeoutException,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { shapeError } from '../../../common/http/error-response';
import { annotateRequest } from '../../../common/http/request-annotation';
import { TextRules } from '../../../common/validation/text-rules';
import { InjectConfig, type AppConfig } from '../../../config';
import { RateLimiter } from '../../rate-limit';
import { ClassificationPipeline } from '../classification-pipeline.service';
import { ClassificationService } from '../classification.service';
import type { ClassifyStreamQuery } from '../dto/classify-request.schema';
import { StreamIdleError, untilIdle } from './idle-limit';
import { ndjsonLines } from './ndjson-lines';
import {
  errorLine,
  isLineError,
  parseStreamLine,
  type StreamItem,
  type StreamText,
} from './stream-line';

/**
 * Groups classified at once per stream: enough to keep the batcher fed while answers are
 * written, few enough that a stream holds at most this many groups of lines in memory.
 */
export const STREAM_GROUPS_IN_FLIGHT = 4;

const HEAD_DONE = Symbol('head-done');

/** One stream's state: what its log line reports, and how it ended. */
interface StreamRun {
  readonly request: FastifyRequest;
  /** Aborted when the client leaves: its texts still queued for a run are dropped. */
  readonly signal: AbortSignal;
  /** Answer lines (one per input line read, and a line that ends the stream early). */
  lines: number;
  classified: number;
  cached: number;
  errors: number;
  /** The body went idle: the stream ended with an error line; the connection is closed. */
  idled: boolean;
}

/**
 * `POST /classify/stream`: NDJSON lines in, one answer line each out, in input order. Lines go
 * through the classification pipeline in groups (what arrived together, at most
 * MAX_BATCH_ITEMS), so they share the batcher, cache and metrics with every other request; at
 * most STREAM_GROUPS_IN_FLIGHT groups are read ahead of the answers written, so a slow reader
 * slows the upload (backpressure both ways) and memory stays bounded. A stream is bounded by
 * idleness (STREAM_IDLE_TIMEOUT_MS), not by total time; one whose client leaves drops its
 * texts still queued for the batcher.
 */
@Injectable()
export class ClassifyStreamService implements OnModuleInit {
  private readonly logger = new Logger('ClassifyStream');
  private limiter: RateLimiter | undefined;

  constructor(
    private readonly pipeline: ClassificationPipeline,
    private readonly classification: ClassificationService,
    private readonly textRules: TextRules,
    private readonly moduleRef: ModuleRef,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The limiter exists only when RATE_LIMIT > 0, in the rate-limit module (whose guard is
    // global); the stream charges its texts to the same counters.
    if (this.config.RATE_LIMIT > 0) {
      this.limiter = this.moduleRef.get(RateLimiter, { strict: false });
    }
  }

  /** The answer stream for a body stream; reading it drives the work. */
  answer(
    request: FastifyRequest,
    response: ServerResponse,
    body: Readable,
    query: ClassifyStreamQuery,
  ): Readable {
    const controller = new AbortController();
    const run: StreamRun = {
      request,
      signal: controller.signal,
      lines: 0,
      classified: 0,
      cached: 0,
      errors: 0,
      idled: false,
    };
    const answers = Readable.from(this.lines(run, body, query), { objectMode: false });
    // Fastify destroys the answer when the client leaves; one that ended was not left.
    answers.once('close', () => {
      if (!answers.readableEnded) controller.abort();
    });
    // The rest of an idle body may never come: close the connection once the answer is out
    // (gracefully, so the error line arrives) rather than wait for more of it.
    response.once('finish', () => {
      if (run.idled) request.raw.socket.end();
    });
    return answers;
  }

  private async *lines(
    run: StreamRun,
    body: Readable,
    query: ClassifyStreamQuery,
  ): AsyncGenerator<string> {
    const { request } = run;
    const groups = this.groups(run, body, query);
    const inFlight: Promise<string>[] = [];
    let next: Promise<IteratorResult<StreamItem[]>> | undefined = groups.next();
    // Handled at once so a body that fails while answers are written is no unhandled
    // rejection; the loop still sees the failure when it awaits `next`.
    void next.catch(() => undefined);
    try {
      while (next !== undefined || inFlight.length > 0) {
        const head = inFlight[0];
        if (
          head !== undefined &&
          (next === undefined || inFlight.length >= STREAM_GROUPS_IN_FLIGHT)
        ) {
          void inFlight.shift(); // `head`, awaited next
          yield await head;
          continue;
        }
        if (next === undefined) break;
        // Wait for more lines, but write a finished group's answers first: a client may wait
        // for its answers before it sends more.
        const step =
          head === undefined
            ? await next
            : await Promise.race([next, head.then((): typeof HEAD_DONE => HEAD_DONE)]);
        if (step === HEAD_DONE) {
          void inFlight.shift(); // `head`, awaited next
          if (head !== undefined) yield await head;
        } else if (step.done === true) {
          next = undefined;
        } else {
          const stop = await this.charge(request, step.value);
          if (stop !== undefined) {
            for (const group of inFlight.splice(0)) yield await group;
            run.lines++;
            run.errors++;
            yield stop;
            return;
          }
          run.lines += step.value.length;
          inFlight.push(this.classifyGroup(run, step.value));
          next = groups.next();
          void next.catch(() => undefined);
        }
      }
    } finally {
      // Also reached when the client leaves (the answer stream is destroyed): nothing more is
      // read from the body, so none of its remaining texts is queued.
      await groups.return(undefined);
      // The whole stream's counts for its one log line and metrics (the pipeline notes each
      // group's as it goes, the last overwriting the others).
      annotateRequest(request, {
        texts: run.classified,
        cached: run.cached,
        lines: run.lines,
        errors: run.errors,
      });
    }
  }

  /**
   * Parsed lines in groups of at most MAX_BATCH_ITEMS (and RATE_LIMIT), never waiting for lines
   * not yet sent.
   */
  private async *groups(
    run: StreamRun,
    body: Readable,
    query: ClassifyStreamQuery,
  ): AsyncGenerator<StreamItem[]> {
    // A group is charged to the rate limit at once: one larger than the limit would never fit
    // a window, however long the stream waited.
    const { MAX_BATCH_ITEMS, RATE_LIMIT } = this.config;
    const max = RATE_LIMIT > 0 ? Math.min(MAX_BATCH_ITEMS, RATE_LIMIT) : MAX_BATCH_ITEMS;
    const rules = {
      textRules: this.textRules,
      maxJsonDepth: this.config.MAX_JSON_DEPTH,
      maxLineBytes: this.config.STREAM_MAX_LINE_BYTES,
      query,
    };
    const idleMs = this.config.STREAM_IDLE_TIMEOUT_MS;
    let last = 0;
    try {
      for await (const arrived of ndjsonLines(untilIdle(body, idleMs), rules.maxLineBytes)) {
        last = arrived[arrived.length - 1].number;
        for (let i = 0; i < arrived.length; i += max) {
          yield arrived.slice(i, i + max).map((line) => parseStreamLine(line, rules));
        }
      }
    } catch (error) {
      if (!(error instanceof StreamIdleError)) throw error;
      run.idled = true;
      const line = last + 1;
      const timeout = new RequestTimeoutException(
        `No body bytes arrived for ${idleMs} ms (STREAM_IDLE_TIMEOUT_MS): the stream stopped ` +
          `after line ${last}; send the lines from ${line} on again`,
      );
      yield [{ line, id: line, error: timeout }];
    }
  }

  /**
   * Counts a group's texts against the client's rate limit, waiting for the window to reset
   * while it is over, up to STREAM_RATE_LIMIT_WAIT_MS; past that, the error line that ends the
   * stream, naming the first line not classified. Undefined: go on.
   */
  private async charge(request: FastifyRequest, group: StreamItem[]): Promise<string | undefined> {
    const texts = group.filter((item) => !isLineError(item)).length;
    if (this.limiter === undefined || texts === 0) return undefined;
    const deadline = Date.now() + this.config.STREAM_RATE_LIMIT_WAIT_MS;
    for (;;) {
      const waitSeconds = await this.limiter.charge(request, texts);
      if (waitSeconds === 0) return undefined;
      if (Date.now() + waitSeconds * 1000 > deadline) {
        const [first] = group;
        const error = new HttpException(
          `Rate limit exceeded: the stream stopped before line ${first.line}, which was not ` +
            `classified; send the lines from ${first.line} on again in ${waitSeconds} s`,
          HttpStatus.TOO_MANY_REQUESTS,
        );
        return `${errorLine({ line: first.line, id: first.id, error }, String(request.id))}\n`;
      }
      await sleep(waitSeconds * 1000);
    }
  }

  /** The group's answer lines in input order; never rejects (a failure is an error line each). */
  private async classifyGroup(run: StreamRun, group: StreamItem[]): Promise<string> {
    const { request, signal } = run;
    const answers = new Map<StreamItem, string>();
    const bySettings = new Map<string, StreamText[]>();
    for (const item of group) {
      if (isLineError(item)) {
        run.errors++;
        answers.set(item, errorLine(item, String(request.id)));
        continue;
      }
      const key = JSON.stringify([item.model, item.modelVersion, item.topK]);
      const same = bySettings.get(key);
      if (same === undefined) bySettings.set(key, [item]);
      else same.push(item);
    }
    await Promise.all(
      [...bySettings.values()].map(async (texts) => {
        const [{ model, modelVersion, topK }] = texts;
        try {
          const result = await this.pipeline.classify(request, {
            inputs: texts.map((item) => item.input),
            model,
            modelVersion,
            listName: 'texts',
            signal,
          });
          run.classified += texts.length;
          for (const answer of result.answers) if (answer.cached) run.cached++;
          const shaped = this.classification.shape(result.model, result.answers, topK);
          texts.forEach((item, i) =>
            answers.set(item, JSON.stringify({ id: item.id, ...shaped[i] })),
          );
        } catch (error) {
          // Cancelled because the client left: nobody reads these answers.
          if (signal.aborted) return;
          // The lines get error lines and the stream goes on; a fault of ours is still logged,
          // as the exception filter logs one for any other request.
          if (shapeError(error, String(request.id)).isServerFault) {
            this.logger.error(
              error instanceof Error ? (error.stack ?? error.message) : String(error),
            );
          }
          run.errors += texts.length;
          for (const item of texts) {
            answers.set(
              item,
              errorLine({ line: item.line, id: item.id, error }, String(request.id)),
            );
          }
        }
      }),
    );
    return group.map((item) => `${answers.get(item)}\n`).join('');
  }
}
