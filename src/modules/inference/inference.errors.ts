import type { HttpErrorInfo, HttpMappedError } from '../../common/http/http-mapped-error';

/**
 * Domain errors of the inference layer. Those a request can meet say what HTTP needs (status,
 * Retry-After, rejection reason) through `http`; the one error mapping in common/ reads it.
 */
export abstract class InferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ModelNotFoundError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 404 };

  constructor(
    readonly model: string,
    readonly knownModels: readonly string[],
  ) {
    super(`Unknown model "${model}". Known models: ${knownModels.join(', ') || '(none)'}`);
  }
}

export class ModelVersionNotFoundError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 404 };

  constructor(
    readonly model: string,
    readonly version: string,
    readonly servedVersion: string,
  ) {
    super(
      `Model "${model}" has no version "${version}"; it serves version "${servedVersion}" (or use "latest")`,
    );
  }
}

export class QueueFullError extends InferenceError implements HttpMappedError {
  get http(): HttpErrorInfo {
    return { status: 503, retryAfterSeconds: this.retryAfterSeconds, rejection: 'queue_full' };
  }

  constructor(
    readonly model: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`The inference queue for model "${model}" is full; retry later`);
  }
}

export class InferenceTimeoutError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 504 };

  constructor(
    readonly model: string,
    readonly timeoutMs: number,
  ) {
    super(`Inference for model "${model}" did not finish within ${timeoutMs} ms`);
  }
}

/** Requests that arrive before every model is loaded and warmed (or after loading failed). */
export class ModelsNotReadyError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 503, retryAfterSeconds: 5 };

  constructor(readonly reason: 'loading' | 'failed') {
    super(
      reason === 'loading'
        ? 'Models are still loading; retry shortly'
        : 'Models failed to load; see the server log',
    );
  }
}

export class ShuttingDownError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 503, retryAfterSeconds: 5, rejection: 'shutting_down' };

  constructor() {
    super('The server is shutting down and accepts no new work');
  }
}

/** DEFAULT_MODEL names a model that is not served: loading fails rather than guess another. */
export class DefaultModelNotServedError extends InferenceError {
  constructor(
    readonly model: string,
    readonly servedModels: readonly string[],
  ) {
    super(
      `DEFAULT_MODEL "${model}" is not a served model (served: ${servedModels.join(', ') || 'none'})`,
    );
  }
}

/** A model folder that cannot be served; the message names the folder and the file. */
export class ModelLoadError extends InferenceError {
  constructor(
    readonly modelDir: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(`Cannot load model from ${modelDir}: ${file}: ${problem}`);
  }
}

/** The worker thread running a batch died (its replacement is starting); the request may retry. */
export class WorkerLostError extends InferenceError implements HttpMappedError {
  readonly http: HttpErrorInfo = { status: 503, retryAfterSeconds: 1 };

  constructor(readonly detail: string) {
    super('Inference was interrupted: the worker thread running it stopped; retry shortly');
  }
}
