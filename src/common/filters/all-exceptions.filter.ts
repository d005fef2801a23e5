import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { replyWithShapedError } from '../http/error-response';

const logger = new Logger('ExceptionFilter');

/**
 * Answers `exception` in the one error shape; a server fault is logged with its stack. Shared
 * by the filter and by routes served before Nest's pipeline (the classify fast path).
 */
export function answerWithError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const shaped = replyWithShapedError(exception, request, reply);
  if (shaped.isServerFault) {
    logger.error(
      `${request.method} ${request.url} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
  }
}

/** Shapes every error the same way; unknown errors are logged and become a generic 500. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerWithError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
