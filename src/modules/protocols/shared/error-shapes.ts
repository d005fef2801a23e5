import type { ShapedError } from '../../../common/http/error-response';
import type { RenderedError } from '../../../common/http/route-error-shape';

/**
 * `{error: "…"}` with Sift's status: the Open Inference Protocol's error object, which the
 * Hugging Face Inference API answers too and its clients read.
 */
export function errorFieldShape(_error: unknown, shaped: ShapedError): RenderedError {
  return { status: shaped.status, body: { error: shaped.body.message } };
}
