import type { FastifyInstance } from 'fastify';

/** The media type of `POST /classify/stream` bodies and answers: one JSON value a line. */
export const NDJSON = 'application/x-ndjson';

/**
 * Lets `application/x-ndjson` bodies through unread: the route gets the raw payload stream as
 * its body and reads it line by line, with backpressure. Fastify applies BODY_LIMIT_BYTES only
 * to the bodies it buffers (`parseAs`), so a stream of any size is accepted here; the route caps
 * each line instead (STREAM_MAX_LINE_BYTES).
 */
export function registerNdjsonBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(NDJSON, (_request, payload, done) => {
    done(null, payload);
  });
}
