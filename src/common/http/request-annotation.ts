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
  readonly rejection?: RejectionReason;
}

// Keyed by the request object so nothing has to be declared on Fastify's request type,
// and entries go away with their requests.
const annotations = new WeakMap<FastifyRequest, RequestAnnotation>();

/** Merges `note` into what is already known about `request`; undefined fields are ignored. */
export function annotateRequest(request: FastifyRequest, note: RequestAnnotation): void {
  const defined = Object.fromEntries(
    Object.entries(note).filter(([, value]) => value !== undefined),
  ) as RequestAnnotation;
  annotations.set(request, { ...annotations.get(request), ...defined });
}

export function requestAnnotation(request: FastifyRequest): RequestAnnotation {
  return annotations.get(request) ?? {};
}
