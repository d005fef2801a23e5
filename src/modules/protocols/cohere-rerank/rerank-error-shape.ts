import type { ShapedError } from '../../../common/http/error-response';
import type { RenderedError } from '../../../common/http/route-error-shape';

/** `{message: "…"}` with Sift's status: the error body of Cohere's API, which its SDKs report. */
export function messageFieldShape(_error: unknown, shaped: ShapedError): RenderedError {
  return { status: shaped.status, body: { message: shaped.body.message } };
}
