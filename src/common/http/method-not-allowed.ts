import { MethodNotAllowedException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import Router, { type HTTPMethod } from 'find-my-way';
import { replyWithShapedError } from './error-response';

/**
 * Answers 405 with an `Allow` header when a path exists but not for the request's method
 * (`GET /classify`), where Fastify alone would answer 404 "Cannot GET /classify", which reads
 * as if the route did not exist. A second find-my-way router (the one Fastify itself uses)
 * records every route's path as it is added, and only requests Fastify could not route ask it.
 * Must be registered before the routes are (Nest adds them in `app.init()`).
 */
export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  const paths = Router();
  const methods = new Set<HTTPMethod>();
  fastify.addHook('onRoute', (route) => {
    // A catch-all (CORS' `OPTIONS *`) would make every unknown path look known.
    if (route.url.includes('*')) return;
    for (const method of ([] as string[]).concat(route.method)) {
      const upper = method.toUpperCase() as HTTPMethod;
      methods.add(upper);
      paths.on(upper, route.url, () => undefined);
    }
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?', 1)[0];
    const allowed = [...methods].filter((method) => paths.find(method, path) !== null);
    if (allowed.length === 0) return;
    void reply.header('allow', allowed.join(', '));
    replyWithShapedError(
      new MethodNotAllowedException(
        `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
      ),
      request,
      reply,
    );
    return reply;
  });
}
