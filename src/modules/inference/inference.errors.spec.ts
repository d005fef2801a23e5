import { shapeError } from '../../common/http/error-response';
import { rejectionReason } from '../../common/observability/rejection-reason';
import {
  InferenceTimeoutError,
  ModelLoadError,
  ModelNotFoundError,
  ModelsNotReadyError,
  ModelVersionNotFoundError,
  QueueFullError,
  ShuttingDownError,
  WorkerLostError,
} from './inference.errors';

describe('inference errors over HTTP', () => {
  it.each([
    [new ModelNotFoundError('nope', ['spam-en']), 404, undefined, 'not_found'],
    [new ModelVersionNotFoundError('spam-en', 'v9', 'v1'), 404, undefined, 'not_found'],
    [new QueueFullError('spam-en', 2), 503, '2', 'queue_full'],
    [new ShuttingDownError(), 503, '5', 'shutting_down'],
    [new ModelsNotReadyError('loading'), 503, '5', undefined],
    [new WorkerLostError('exit 1'), 503, '1', undefined],
    [new InferenceTimeoutError('spam-en', 100), 504, undefined, 'timeout'],
  ])('%s: status, Retry-After and rejection reason', (error, status, retryAfter, reason) => {
    const shaped = shapeError(error, 'req-1');
    expect(shaped.status).toBe(status);
    expect(shaped.body.message).toBe(error.message);
    expect(shaped.headers['retry-after']).toBe(retryAfter);
    expect(rejectionReason(error, shaped.status)).toBe(reason);
  });

  it('leaves a load failure a generic 500: it is a fault, not a refusal', () => {
    const shaped = shapeError(new ModelLoadError('/m', 'model.onnx', 'missing'), 'req-1');
    expect(shaped).toMatchObject({ status: 500, isServerFault: true });
    expect(shaped.body.message).toBe('Internal server error');
  });
});
