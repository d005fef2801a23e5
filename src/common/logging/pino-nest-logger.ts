import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger, written through Fastify's pino instance, so that start-up lines, warnings and
 * request lines are one stream of pino JSON objects at one LOG_LEVEL. nestjs-pino would do this
 * too, but it brings pino-http's own request logger, a second one beside Fastify's; the
 * adapter is this one mapping.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest calls `log(message, context)` and `error(message, stack, context)`: a trailing string
   * is the context (the class that logged), a string before it on an error is the stack.
   */
  private write(level: PinoLevel, message: unknown, params: readonly unknown[]): void {
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      fields.context = rest.pop();
    }
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest.shift();
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      this.pino[level](fields, message);
    } else {
      this.pino[level]({ ...fields, data: message }, 'log');
    }
  }
}
