import { Logger } from '@nestjs/common';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TextInput } from '../inference.types';
import { cpuBudget } from './cpu-budget';
import type { EncodedText, Preprocessor } from '../preprocessing/preprocessor.interface';
import {
  encodeInline,
  FORGET_CHANNEL,
  unpackEncoded,
  type ClassifiedBatch,
  type EncodeTask,
  type EncodedBatch,
  type ForgetMessage,
  type RunSpec,
} from './tokenizer-protocol';

/** What the pool needs of a loaded model version. */
export interface EncodingModel {
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  readonly maxSequenceLength: number;
  readonly preprocessor: Preprocessor;
}

interface WaitingGroup {
  readonly model: EncodingModel;
  readonly requests: {
    readonly inputs: readonly TextInput[];
    resolve(encoded: EncodedText[]): void;
  }[];
}

/** A light graph's version whose texts the threads both encode and run. */
export interface RunningModel extends EncodingModel {
  readonly run: RunSpec;
}

type TaskResult = EncodedBatch | ClassifiedBatch;

export interface TokenizerPoolOptions {
  /** Tokenizer threads; 0 tokenizes every text on the event loop. */
  readonly size: number;
  /** The compiled tokenizer-worker entry point. */
  readonly script: () => string;
}

/**
 * Below this many characters a text is tokenized on the event loop: a worker round trip (a
 * structured clone each way and a wake-up) costs the event loop about as much as tokenizing
 * a couple of hundred characters, so offloading "Hello" would only add latency.
 */
export const MIN_OFFLOAD_CHARS = 256;

const charsOf = (input: TextInput): number =>
  typeof input === 'string' ? input.length : input.text.length + input.pair.length;

/**
 * Tokenizes texts off the event loop. The main thread parses HTTP, batches and, for light
 * graphs, runs the model; tokenizing a 1.4 KB message costs it about 0.4 ms, more than all the
 * rest, so under load the pool's threads take that work onto the other cores. A lone request
 * (nothing else in progress) is tokenized in place: there is nothing to overlap it with, and
 * the round trip would only add to its latency. A request of several texts is split across
 * the threads even when alone.
 *
 * The pool is piscina's (a kept library: queueing, respawning a crashed thread, and shutdown
 * are its job); heavy graphs run on WorkerPoolRunner instead, whose TSDoc says why. If a task fails — a thread died, or the model folder vanished under it — the
 * texts are tokenized on the event loop instead, so no request is lost to the pool.
 */
export class TokenizerPool {
  private readonly logger = new Logger(TokenizerPool.name);
  private piscina: Piscina<EncodeTask, TaskResult> | undefined;
  private readonly failedVersions = new Set<string>();
  private readonly waiting = new Map<string, WaitingGroup>();
  private flushScheduled = false;
  private closed = false;
  private forgets: BroadcastChannel | undefined;

  constructor(private readonly options: TokenizerPoolOptions) {}

  get size(): number {
    return this.options.size;
  }

  /**
   * Encodes `inputs` with the model's preprocessor; `alone` says no other request is in
   * progress. Results in input order, identical to `preprocessor.encode`.
   */
  async encode(
    model: EncodingModel,
    inputs: readonly TextInput[],
    alone: boolean,
  ): Promise<EncodedText[]> {
    if (!this.offloads(model, inputs, alone)) return encodeInline(model.preprocessor, inputs);
    if (alone) return this.encodeGroup(model, [inputs]).then((results) => results[0]);
    return new Promise<EncodedText[]>((resolve) => {
      const key = `${model.dir}\u0000${model.version}\u0000${model.maxSequenceLength}`;
      let group = this.waiting.get(key);
      if (group === undefined) {
        group = { model, requests: [] };
        this.waiting.set(key, group);
      }
      group.requests.push({ inputs, resolve });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Sends what arrived in this turn of the event loop as one task per thread: a task costs the
   * event loop a structured clone and a wake-up, so one per request would eat much of what
   * offloading saves.
   */
  private flush(): void {
    this.flushScheduled = false;
    const groups = [...this.waiting.values()];
    this.waiting.clear();
    for (const { model, requests } of groups) {
      void this.encodeGroup(
        model,
        requests.map((request) => request.inputs),
      ).then((results) => requests.forEach((request, index) => request.resolve(results[index])));
    }
  }

  /** Encodes several requests' texts in up to `size` tasks; inline if a task fails. */
  private async encodeGroup(
    model: EncodingModel,
    requests: readonly (readonly TextInput[])[],
  ): Promise<EncodedText[][]> {
    const all = requests.flat();
    let encoded: EncodedText[];
    try {
      const chunks = splitEvenly(all, this.options.size);
      const batches = await Promise.all(chunks.map((chunk) => this.run(model, chunk)));
      encoded = batches.flatMap(unpackEncoded);
    } catch (error) {
      this.reportFailure(model, error);
      encoded = await encodeInline(model.preprocessor, all);
    }
    let start = 0;
    return requests.map((inputs) => {
      const mine = encoded.slice(start, start + inputs.length);
      start += inputs.length;
      return mine;
    });
  }

  /**
   * Whether `model`'s texts may go to the threads now: there are threads, the pool is open,
   * and no task of this version has failed.
   */
  available(model: EncodingModel): boolean {
    return this.options.size > 0 && !this.closed && !this.failedVersions.has(failureKey(model));
  }

  /**
   * Encodes and runs texts of a light graph in one thread, in one task: the event loop pays
   * one hop for both (see RunTexts). Rejects if the task fails; the caller falls back and
   * reports it with `reportFailure`.
   */
  classify(model: RunningModel, inputs: readonly TextInput[]): Promise<ClassifiedBatch> {
    const task: EncodeTask = { ...this.encodeTask(model, inputs), run: model.run };
    return this.pool().run(task) as Promise<ClassifiedBatch>;
  }

  /**
   * Loads the model's preprocessor (and, for a light graph, its session) in every thread, so
   * no request pays for it.
   */
  async warm(model: EncodingModel | RunningModel): Promise<void> {
    if (this.options.size === 0) return;
    const probe = [model.name.padEnd(MIN_OFFLOAD_CHARS, ' x')];
    const task = (): Promise<unknown> =>
      'run' in model ? this.classify(model, probe) : this.run(model, probe);
    try {
      await Promise.all(Array.from({ length: this.options.size }, task));
    } catch (error) {
      this.reportFailure(model, error);
    }
  }

  /** Tells the threads to release what they loaded for a released version. */
  forget(model: EncodingModel): void {
    if (this.piscina === undefined || this.closed) return;
    if (this.forgets === undefined) {
      this.forgets = new BroadcastChannel(FORGET_CHANNEL);
      this.forgets.unref();
    }
    const message: ForgetMessage = { dir: model.dir, version: model.version };
    this.forgets.postMessage(message);
  }

  /**
   * Stops the threads once the tasks they started have finished; tasks still queued are
   * dropped. Never `destroy()`: it terminates threads mid-task, and a thread terminated while
   * ONNX Runtime or the tokenizer works in it aborts the whole process (`terminate called after
   * throwing an instance of 'Napi::Error'`). A thread still busy after piscina's closeTimeout
   * (30 s) is terminated anyway, with the warning the 'error' handler logs.
   */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.piscina;
    this.piscina = undefined;
    await pool?.close({ force: true });
    // After the threads: one must not be releasing a session when it is terminated.
    this.forgets?.close();
  }

  private offloads(model: EncodingModel, inputs: readonly TextInput[], alone: boolean): boolean {
    if (!this.available(model)) return false;
    if (alone && inputs.length === 1) return false;
    let chars = 0;
    for (const input of inputs) chars += charsOf(input);
    return chars >= MIN_OFFLOAD_CHARS;
  }

  private run(model: EncodingModel, inputs: readonly TextInput[]): Promise<EncodedBatch> {
    return this.pool().run(this.encodeTask(model, inputs)) as Promise<EncodedBatch>;
  }

  private encodeTask(model: EncodingModel, inputs: readonly TextInput[]): EncodeTask {
    return { dir: model.dir, version: model.version, maxLength: model.maxSequenceLength, inputs };
  }

  private pool(): Piscina<EncodeTask, TaskResult> {
    if (this.piscina !== undefined) return this.piscina;
    const pool = new Piscina<EncodeTask, TaskResult>({
      filename: this.options.script(),
      minThreads: this.options.size,
      maxThreads: this.options.size,
      // Threads that exit when idle would reload every tokenizer on the next burst.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A thread that cannot start (its script missing or broken) is reported here as well as
    // through the task; an unhandled 'error' event would end the process.
    pool.on('error', (error: unknown) =>
      this.logger.warn(`A tokenizer thread failed: ${(error as Error).message}`),
    );
    this.piscina = pool;
    return pool;
  }

  /** Turns the threads off for the version after a failed task, with one warning. */
  reportFailure(model: EncodingModel, error: unknown): void {
    if (this.closed) return; // tasks cut short by close(): nothing is wrong with the threads
    // One failure turns the pool off for the version: every later task would fail the same way.
    const key = failureKey(model);
    if (this.failedVersions.has(key)) return;
    this.failedVersions.add(key);
    const where = 'run' in model ? 'tokenized and run' : 'tokenized';
    this.logger.warn(
      `Tokenizer thread failed for ${model.name} (${(error as Error).message}); ` +
        `its texts are ${where} on the event loop instead`,
    );
  }
}

const failureKey = (model: EncodingModel): string => `${model.name}\u0000${model.version}`;

/** At most `parts` contiguous chunks of near-equal length, none empty. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const count = Math.max(1, Math.min(parts, items.length));
  const chunks: T[][] = [];
  for (let index = 0; index < count; index++) {
    const start = Math.floor((index * items.length) / count);
    const end = Math.floor(((index + 1) * items.length) / count);
    chunks.push(items.slice(start, end));
  }
  return chunks;
}

/** A tokenizer thread per core, if there is a second core to run them beside the event loop. */
export function defaultTokenizerThreads(): number {
  const { cores } = cpuBudget();
  return cores >= 2 ? cores : 0;
}
