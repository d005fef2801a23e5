import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A repository the stand-in serves: one set of files, reachable by every revision listed. */
export interface StandInRepo {
  readonly files: ReadonlyMap<string, Buffer>;
  /** Branch or tag → commit; `main` is expected. A commit is also a revision of itself. */
  readonly revisions: Readonly<Record<string, string>>;
  /** Model info and the tree answer anyone; downloads need the token (as on the Hub). */
  readonly gated?: boolean;
  /** Every route answers 401 RepoNotFound without the token. */
  readonly private?: boolean;
  /** Paths served with one byte changed (same size), as a bad proxy or disk would. */
  readonly corrupt?: ReadonlySet<string>;
  /**
   * A Hub that goes silent with the connection open: `metadata` never answers the revision
   * route; `download` sends a file's headers and first half, then nothing more.
   */
  readonly silent?: 'metadata' | 'download';
}

/** The token that opens gated and private repositories. */
export const STAND_IN_TOKEN = 'hf_standin0123456789';

const LFS = /\.(onnx|onnx_data(_\d+)?|bin|safetensors)$/;

function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the Hub's tree and paths-info routes say of a file. */
function describeFile(path: string, bytes: Buffer): Record<string, unknown> {
  if (!LFS.test(path)) return { type: 'file', path, size: bytes.length, oid: gitBlobId(bytes) };
  const pointer = Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(bytes)}\nsize ${bytes.length}\n`,
  );
  return {
    type: 'file',
    path,
    size: bytes.length,
    oid: gitBlobId(pointer),
    lfs: { oid: sha256(bytes), size: bytes.length, pointerSize: pointer.length },
  };
}

/**
 * A local stand-in for the Hugging Face Hub's HTTP API, on 127.0.0.1: the routes and headers
 * `@huggingface/hub` calls (model info, tree, paths-info, resolve with ranges), so the real
 * client runs unchanged against it through HF_ENDPOINT. Every request is logged.
 */
export class HubStandIn {
  readonly requests: string[] = [];
  readonly repos = new Map<string, StandInRepo>();
  private readonly server: Server = createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  private port = 0;

  private constructor() {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<HubStandIn> {
    const standIn = new HubStandIn();
    await new Promise<void>((done) => standIn.server.listen(0, '127.0.0.1', done));
    standIn.port = (standIn.server.address() as AddressInfo).port;
    return standIn;
  }

  /** Requests for a path (resolve requests name the file last). */
  requested(path: string): string[] {
    return this.requests.filter((line) => line.endsWith(`/${path}`));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    this.requests.push(`${request.method ?? 'GET'} ${path}`);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree|paths-info)\/([^/]+)$/.exec(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const [repoId, route, revision, file] = api
      ? [api[1], api[2], api[3], undefined]
      : resolve
        ? [resolve[1], 'resolve', resolve[2], resolve[3]]
        : [undefined, undefined, undefined, undefined];
    const repo = repoId === undefined ? undefined : this.repos.get(repoId);
    if (repoId === undefined || route === undefined || revision === undefined) {
      return fail(response, 404, '', 'Not found');
    }
    const authorized = request.headers.authorization === `Bearer ${STAND_IN_TOKEN}`;
    if (repo === undefined) return fail(response, 404, 'RepoNotFound', 'Repository not found');
    if (repo.private === true && !authorized) {
      return fail(response, 401, 'RepoNotFound', 'Repository not found');
    }
    const commit =
      repo.revisions[revision] ?? Object.values(repo.revisions).find((c) => c === revision);
    if (commit === undefined) {
      return fail(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    }
    const listing = [...repo.files].map(([name, bytes]) => describeFile(name, bytes));
    if (route === 'revision') {
      if (repo.silent === 'metadata') return;
      return json(response, {
        _id: repoId,
        id: repoId,
        sha: commit,
        private: repo.private === true,
        gated: repo.gated === true ? 'manual' : false,
        siblings: [...repo.files.keys()].map((name) => ({ rfilename: name })),
      });
    }
    if (route === 'tree') return json(response, listing);
    if (route === 'paths-info') {
      const body = JSON.parse(await readBody(request)) as { paths: string[] };
      return json(
        response,
        listing.filter((entry) => body.paths.includes(entry.path as string)),
      );
    }
    if (repo.gated === true && !authorized) {
      return fail(response, 401, 'GatedRepo', 'Access to this repository is restricted');
    }
    const bytes = file === undefined ? undefined : repo.files.get(file);
    if (file === undefined || bytes === undefined) {
      return fail(response, 404, 'EntryNotFound', 'Entry not found');
    }
    this.serveFile(
      request,
      response,
      commit,
      describeFile(file, bytes),
      served(repo, file, bytes),
      repo.silent === 'download',
    );
  }

  private serveFile(
    request: IncomingMessage,
    response: ServerResponse,
    commit: string,
    info: Record<string, unknown>,
    bytes: Buffer,
    stallHalfway = false,
  ): void {
    // A body of more than a byte (not the client's 1-byte size probe) stops halfway, open.
    const send = (body: Buffer): void => {
      if (request.method === 'HEAD') response.end();
      else if (stallHalfway && body.length > 1) response.write(body.subarray(0, body.length >> 1));
      else response.end(body);
    };
    const lfs = info.lfs as { oid: string } | undefined;
    response.setHeader('X-Repo-Commit', commit);
    response.setHeader('ETag', `"${lfs?.oid ?? (info.oid as string)}"`);
    response.setHeader('Accept-Ranges', 'bytes');
    response.setHeader('Content-Type', 'application/octet-stream');
    if (lfs !== undefined) {
      response.setHeader('X-Linked-Size', String(bytes.length));
      response.setHeader('X-Linked-Etag', `"${lfs.oid}"`);
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range === null) {
      response.setHeader('Content-Length', String(bytes.length));
      send(bytes);
      return;
    }
    const start = Number(range[1]);
    const end = range[2] === '' ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
    response.statusCode = 206;
    response.setHeader('Content-Range', `bytes ${start}-${end}/${bytes.length}`);
    response.setHeader('Content-Length', String(end - start + 1));
    send(bytes.subarray(start, end + 1));
  }
}

function served(repo: StandInRepo, file: string, bytes: Buffer): Buffer {
  if (repo.corrupt?.has(file) !== true) return bytes;
  const copy = Buffer.from(bytes);
  copy[copy.length >> 1] ^= 0xff;
  return copy;
}

function json(response: ServerResponse, body: unknown): void {
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, code: string, message: string): void {
  response.statusCode = status;
  if (code !== '') response.setHeader('X-Error-Code', code);
  response.setHeader('X-Error-Message', message);
  json(response, { error: message });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    request.on('error', failed);
  });
}
