import { BadRequestException } from '@nestjs/common';
import { QueueFullError, ShuttingDownError } from '../../modules/inference/inference.errors';
import { rejectionReason } from './rejection-reason';

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

  it('tells load shedding from draining among 503s', () => {
    expect(rejectionReason(new QueueFullError('spam-en', 1), 503)).toBe('queue_full');
    expect(rejectionReason(new ShuttingDownError(), 503)).toBe('shutting_down');
    expect(rejectionReason(new Error('models loading'), 503)).toBeUndefined();
  });

  it('does not count server faults or successes as rejections', () => {
    expect(rejectionReason(new Error('boom'), 500)).toBeUndefined();
    expect(rejectionReason(undefined, 200)).toBeUndefined();
  });
});
