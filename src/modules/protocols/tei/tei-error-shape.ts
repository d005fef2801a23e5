import { HttpStatus } from '@nestjs/common';
import type { ShapedError } from '../../../common/http/error-response';
import type { RenderedError } from '../../../common/http/route-error-shape';
import { TextRuleError } from '../../../common/validation/text-rules';
import { QueueFullError } from '../../inference';
import { InputTooLongError } from '../../classification/classification-pipeline.service';
import { ProtocolRequestError } from '../shared/protocol-errors';

/** TEI's `ErrorType`, serialised in lower case. */
export type TeiErrorType =
  'unhealthy' | 'backend' | 'overloaded' | 'validation' | 'tokenizer' | 'empty';

function answer(status: number, error: string, errorType: TeiErrorType): RenderedError {
  return { status, body: { error, error_type: errorType } };
}

/**
 * text-embeddings-inference's `{error, error_type}` with its status codes: 413 `validation`
 * for inputs or batches over a limit, 422 for bodies it cannot read, 400 `empty`, 429
 * `overloaded` for a full queue or a rate limit, 503 `unhealthy`, 424 `backend` for faults.
 * Statuses TEI never produces (404 for an unknown model, 415, 504) keep Sift's.
 */
export function teiErrorShape(error: unknown, shaped: ShapedError): RenderedError {
  const message = shaped.body.message;
  if (error instanceof TextRuleError) {
    switch (error.rule) {
      case 'too-many':
      case 'too-long':
        return answer(HttpStatus.PAYLOAD_TOO_LARGE, message, 'validation');
      case 'empty':
        return answer(HttpStatus.BAD_REQUEST, message, 'empty');
      case 'not-a-string':
      case 'content':
        return answer(HttpStatus.UNPROCESSABLE_ENTITY, message, 'validation');
    }
  }
  if (error instanceof InputTooLongError) return answer(shaped.status, message, 'validation');
  if (error instanceof ProtocolRequestError) {
    return answer(shaped.status, message, shaped.status === 400 ? 'empty' : 'validation');
  }
  if (error instanceof QueueFullError || shaped.status === 429) {
    return answer(HttpStatus.TOO_MANY_REQUESTS, message, 'overloaded');
  }
  if (shaped.status === 503) return answer(503, message, 'unhealthy');
  if (shaped.isServerFault) return answer(HttpStatus.FAILED_DEPENDENCY, message, 'backend');
  return answer(shaped.status, message, shaped.status >= 500 ? 'backend' : 'validation');
}
