import { BadRequestException } from '@nestjs/common';
import type { HttpErrorInfo, HttpMappedError } from '../http/http-mapped-error';
import type { RejectionReason } from './observers';
import { rejectionReason } from './rejection-reason';

/** A domain error as a feature module defines one. */
class DomainError extends Error implements HttpMappedError {
  readonly http: HttpErrorInfo;

  constructor(status: number, rejection?: RejectionReason) {
    super('domain');
    this.http = { status, rejection };
  }
}

describe(rejectionReason.name, () => {
  it.each([
    [400, 'validation'],
    [413, 'validation'],
    [415, 'validation'],
    [422, 'validation'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not_found'],
    [429, 'rate_limited'],
    [504, 'timeout'],
  ])('maps status %i to %s', (status, reason) => {
    expect(rejectionReason(new BadRequestException(), status)).toBe(reason);
  });

  it('tells load shedding from draining among 503s by the reason the error names', () => {
    expect(rejectionReason(new DomainError(503, 'queue_full'), 503)).toBe('queue_full');
    expect(rejectionReason(new DomainError(503, 'shutting_down'), 503)).toBe('shutting_down');
    expect(rejectionReason(new DomainError(503), 503)).toBeUndefined();
    expect(rejectionReason(new Error('models loading'), 503)).toBeUndefined();
  });

  it('does not count server faults or successes as rejections', () => {
    expect(rejectionReason(new Error('boom'), 500)).toBeUndefined();
    expect(rejectionReason(undefined, 200)).toBeUndefined();
  });
});
