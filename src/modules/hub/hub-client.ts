import { downloadFile, HubApiError, listFiles, modelInfo } from '@huggingface/hub';
import type { HubModelRef } from '../../config';
import type { HubFile } from './hub-files';
import { HubModelError, HubUnreachableError } from './hub.errors';

/** Where the Hub is, who asks, and how long a silence may last before it counts as down. */
export interface HubConnection {
  readonly endpoint: string;
  readonly token?: string;
  /** HF_HUB_ETAG_TIMEOUT, in seconds: metadata requests (revision, file list). */
  readonly metadataTimeoutS: number;
  /** HF_HUB_DOWNLOAD_TIMEOUT, in seconds: file downloads, between any two bytes. */
  readonly downloadTimeoutS: number;
}

/** The `[name=]org/repo@revision` a message names, as MODEL_ID spells it. */
export function refLabel(ref: Pick<HubModelRef, 'repo' | 'revision'>): string {
  return `${ref.repo}@${ref.revision}`;
}

/**
 * Our calls to the Hub, through the official client (its requests are those huggingface_hub
 * makes), with its errors turned into ones that say what to do. The client's errors keep the
 * status but not the Hub's X-Error-Code, which tells a missing repository from a missing
 * revision, so a fetch wrapper notes the code of every failed response by URL.
 */
export class HubClient {
  private readonly errorCodes = new Map<string, string>();

  private readonly metadataFetch: typeof fetch;
  private readonly downloadFetch: typeof fetch;

  constructor(private readonly connection: HubConnection) {
    this.metadataFetch = this.fetchWithin(connection.metadataTimeoutS, 'HF_HUB_ETAG_TIMEOUT');
    this.downloadFetch = this.fetchWithin(connection.downloadTimeoutS, 'HF_HUB_DOWNLOAD_TIMEOUT');
  }

  /**
   * Node's fetch waits for ever on a Hub that accepted the connection and went silent, which
   * would hold start-up with no word. So each request gets a timer, restarted by the answer's
   * headers and by every chunk of its body, that aborts it after `seconds` of silence with a
   * HubUnreachableError: wherever that surfaces (the request, or a download's stream), the
   * Hub counts as unreachable and a complete cached copy serves (HubSnapshots.pull).
   */
  private fetchWithin(seconds: number, variable: string): typeof fetch {
    return async (input, init) => {
      const controller = new AbortController();
      const silence = new HubUnreachableError(
        `${this.connection.endpoint} did not answer for ${seconds} s (${variable})`,
      );
      // Unref'd: a body nobody reads any more must not keep the process up.
      const start = (): NodeJS.Timeout =>
        setTimeout(() => controller.abort(silence), seconds * 1000).unref();
      let timer = start();
      const restart = (): void => {
        clearTimeout(timer);
        timer = start();
      };
      const signal =
        init?.signal == null
          ? controller.signal
          : AbortSignal.any([init.signal, controller.signal]);
      let response: Response;
      try {
        response = await fetch(input, { ...init, signal });
      } catch (error) {
        clearTimeout(timer);
        throw controller.signal.aborted ? silence : error;
      }
      if (!response.ok)
        this.errorCodes.set(response.url, response.headers.get('X-Error-Code') ?? '');
      if (response.body === null) {
        clearTimeout(timer);
        return response;
      }
      restart();
      const watched = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, stream) {
            restart();
            stream.enqueue(chunk);
          },
          flush: () => clearTimeout(timer),
        }),
      );
      const timed = new Response(watched, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      // The client reads the final URL (redirects) of an answer; a new Response has none.
      Object.defineProperty(timed, 'url', { value: response.url });
      return timed;
    };
  }

  private params(fetch: typeof globalThis.fetch) {
    return {
      hubUrl: this.connection.endpoint,
      accessToken: this.connection.token,
      fetch,
    };
  }

  /** The commit a branch, tag or commit names now. */
  async resolveCommit(ref: HubModelRef): Promise<string> {
    const info = await this.call(ref, () =>
      modelInfo({
        ...this.params(this.metadataFetch),
        name: ref.repo,
        revision: ref.revision,
        additionalFields: ['sha'],
      }),
    );
    return info.sha;
  }

  /** Every file of the repository at `commit`, with the sizes and hashes the Hub lists. */
  async listFiles(ref: HubModelRef, commit: string): Promise<HubFile[]> {
    return this.call(ref, async () => {
      const files: HubFile[] = [];
      for await (const entry of listFiles({
        ...this.params(this.metadataFetch),
        repo: { type: 'model', name: ref.repo },
        revision: commit,
        recursive: true,
      })) {
        if (entry.type !== 'file') continue;
        files.push({
          path: entry.path,
          size: entry.size,
          oid: entry.oid ?? '',
          sha256: entry.lfs?.oid,
        });
      }
      return files;
    });
  }

  /** The bytes of one file at `commit`, streamed. */
  async download(
    ref: HubModelRef,
    commit: string,
    path: string,
  ): Promise<ReadableStream<Uint8Array>> {
    const blob = await this.call(ref, () =>
      downloadFile({
        ...this.params(this.downloadFetch),
        repo: { type: 'model', name: ref.repo },
        revision: commit,
        path,
      }),
    );
    if (blob === null) {
      throw new HubModelError(
        `${refLabel(ref)}: the Hub listed ${path} but has no such file at ${commit}`,
      );
    }
    return blob.stream();
  }

  private async call<T>(ref: HubModelRef, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.explain(ref, error);
    }
  }

  private explain(ref: HubModelRef, error: unknown): Error {
    if (error instanceof HubUnreachableError) return error;
    if (!(error instanceof HubApiError)) {
      // Node's fetch fails with a TypeError whose cause names the socket error. Checked by
      // shape: it comes from Node's realm, where this module's Error may not be its class.
      const failure = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
      if (failure.name === 'TypeError' && failure.message === 'fetch failed') {
        const cause = typeof failure.cause?.code === 'string' ? failure.cause.code : 'no answer';
        return new HubUnreachableError(`${this.connection.endpoint} cannot be reached (${cause})`);
      }
      return error instanceof Error ? error : new Error(String(error));
    }
    const id = refLabel(ref);
    const code = this.errorCodes.get(error.url) ?? '';
    const page = `${this.connection.endpoint}/${ref.repo}`;
    if (code === 'GatedRepo') {
      return new HubModelError(
        `${id} is gated: accept its conditions at ${page} and set HF_TOKEN to a token of that account`,
      );
    }
    if (error.statusCode === 401 || error.statusCode === 403) {
      return new HubModelError(
        this.connection.token === undefined
          ? `${id} was not found or is private: for a private or gated repository set HF_TOKEN to a token with read access; else check the id in MODEL_ID`
          : `${id}: HF_TOKEN has no access to ${ref.repo} (the Hub answered ${error.statusCode}); use a token of an account that can read it`,
      );
    }
    if (code === 'RevisionNotFound') {
      return new HubModelError(
        `${id}: ${ref.repo} has no revision "${ref.revision}"; name a branch, tag or commit after @ in MODEL_ID`,
      );
    }
    if (error.statusCode === 404) {
      return new HubModelError(
        `${id}: no repository ${ref.repo} on ${this.connection.endpoint}; check the id in MODEL_ID (org/repo)`,
      );
    }
    return new HubModelError(`${id}: the Hub answered ${error.statusCode}: ${error.message}`);
  }
}
