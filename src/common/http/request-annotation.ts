import type { FastifyRequest } from 'fastify';
import type { RejectionReason } from '../observability/observers';

/** What a handler or an error shaper learned about a request, for its log line and metrics. */
export interface RequestAnnotation {
  /** The model that served (or was asked to serve) the request. */
  readonly model?: string;
  /** Texts in the request. */
  readonly texts?: number;
  /** Texts answered from the prediction cache. */
  readonly cached?: number;
  /** A stream's input lines, and those answered with an error line. */
  readonly lines?: number;
  readonly errors?: number;
  readonly rejection?: RejectionReason;
}

type MutableAnnotation = { -readonly [K in keyof RequestAnnotation]: RequestAnnotation[K] };

// Keyed by the request object so nothing has to be declared on Fastify's request type,
// and entries go away with their requests.
const annotations = new WeakMap<FastifyRequest, MutableAnnotation>();

/** Merges `note` into what is already known about `request`; undefined fields are ignored. */
export function annotateRequest(request: FastifyRequest, note: RequestAnnotation): void {
  // On every request's path: a plain field copy, no intermediate arrays or objects.
  let known = annotations.get(request);
  if (known === undefined) {
    known = {};
    annotations.set(request, known);
  }
  if (note.model !== undefined) known.model = note.model;
  if (note.texts !== undefined) known.texts = note.texts;
  if (note.cached !== undefined) known.cached = note.cached;
  if (note.lines !== undefined) known.lines = note.lines;
  if (note.errors !== undefined) known.errors = note.errors;
  if (note.rejection !== undefined) known.rejection = note.rejection;
}

export function requestAnnotation(request: FastifyRequest): RequestAnnotation {
  return annotations.get(request) ?? {};
}
