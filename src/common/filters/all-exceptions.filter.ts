import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { shapeError } from '../http/error-response';
import { noteRejection } from '../observability/rejection-reason';

/** Shapes every error the same way; unknown errors are logged and become a generic 500. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const shaped = shapeError(exception, String(request.id));
    noteRejection(request, exception, shaped.status);
    if (shaped.isServerFault) {
      this.logger.error(
        `${request.method} ${request.url} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    void reply.status(shaped.status).headers(shaped.headers).send(shaped.body);
  }
}
