import { RequestTimeoutException } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Socket } from 'node:net';
import { shapeError } from './error-response';
import { routeErrorShape } from './route-error-shape';

const NO_DEADLINE_KEY = 'siftNoRequestDeadline';

/**
 * Exempts the decorated handler from the request deadline: it bounds its body itself (the
 * stream, by idleness). Kept in Fastify's route config, so it replaces any other RouteConfig
 * of the same handler (such as WithErrorShape).
 */
export const WithoutRequestDeadline = (): MethodDecorator =>
  RouteConfig({ [NO_DEADLINE_KEY]: true });

function exempt(request: FastifyRequest): boolean {
  const config: unknown = request.routeOptions?.config;
  return (
    typeof config === 'object' &&
    config !== null &&
    (config as Record<string, unknown>)[NO_DEADLINE_KEY] === true
  );
}

/** Whether a body follows the headers (HTTP/1.1: a Content-Length above 0, or chunks). */
function hasBody(request: FastifyRequest): boolean {
  const { headers } = request.raw;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return length !== 0;
}

/**
 * What Node's own request timeout writes (a 408, then the socket closed), in the route's error
 * shape; nothing when an answer has started, since a second one would corrupt it.
 */
function cut(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): void {
  const socket = request.raw.socket;
  if (!reply.raw.headersSent && socket.writable) {
    const error = new RequestTimeoutException(
      `The request body did not arrive within HTTP_REQUEST_TIMEOUT_MS (${timeoutMs} ms)`,
    );
    const shaped = shapeError(error, String(request.id));
    const answer = routeErrorShape(request)?.(error, shaped) ?? {
      status: shaped.status,
      body: shaped.body,
    };
    const body = JSON.stringify(answer.body);
    socket.write(
      `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${String(request.id)}\r\n\r\n` +
        body,
    );
  }
  socket.destroy();
}

/**
 * Every request's body must arrive within `timeoutMs` of its headers (slowloris), except on
 * routes marked WithoutRequestDeadline. Node's `requestTimeout` did this for the whole server,
 * so it could not spare the stream, whose body may take hours; the server runs with it off
 * and Node's `headersTimeout` still bounds the headers. The timer stops once the body has
 * been read, or discarded after an answer sent without reading it.
 */
export function registerRequestDeadline(fastify: FastifyInstance, timeoutMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    // Only a client on a network socket can dribble; an injected request (tests, the in-process
    // command line) has none to cut.
    const onNetwork = request.raw.socket instanceof Socket;
    if (!onNetwork || request.raw.complete || !hasBody(request) || exempt(request)) {
      done();
      return;
    }
    const timer = setTimeout(() => cut(request, reply, timeoutMs), timeoutMs);
    // A bound on a client, never a reason for the process to stay up.
    timer.unref();
    const stop = (): void => clearTimeout(timer);
    // Not stopped when the answer is sent: Node then reads and discards an unread body, and a
    // client dribbling that body would otherwise hold the connection (as Node's timeout cut it).
    // 'close' also comes when the connection drops first.
    request.raw.once('end', stop);
    request.raw.once('close', stop);
    done();
  });
}
