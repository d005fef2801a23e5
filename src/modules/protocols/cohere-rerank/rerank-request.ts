import { z } from 'zod';
import { parseBody } from '../shared/parse-body';
import { ProtocolRequestError } from '../shared/protocol-errors';

/** A `/v1/rerank` body, reduced to what Sift reads. */
export interface RerankV1Request {
  readonly model: string | undefined;
  readonly query: string;
  /** The documents' texts, in request order. */
  readonly documents: readonly string[];
  readonly topN: number | undefined;
  readonly returnDocuments: boolean;
}

// Fields Sift does not use (Cohere's rank_fields, max_chunks_per_doc, max_tokens_per_doc) are
// ignored, as on Sift's other protocol routes: documents are ranked by their text, cut to the
// model's maximum length.
const document = z.union([z.string(), z.looseObject({ text: z.string() })], {
  error: 'must be a string or an object with a string `text`',
});

/** Cohere's v1 / Jina's rerank request; exported for the OpenAPI document. */
export const rerankV1BodySchema = z.looseObject({
  model: z.string().nullish().describe('A Sift model (default: the default model)'),
  query: z.string(),
  documents: z
    .array(document)
    .describe('Passages to score against the query (MAX_BATCH_ITEMS at most)'),
  top_n: z.number().int().min(1).nullish().describe('Answer the n most relevant (default: all)'),
  return_documents: z.boolean().nullish().describe('Add each document (default false)'),
});

/**
 * Validates a Cohere (v1) / Jina rerank body. `return_documents` defaults to false, as in
 * Cohere's v1 API; `top_n` defaults to every document.
 */
export function parseRerankV1(body: unknown): RerankV1Request {
  const request = parseBody(rerankV1BodySchema, body);
  if (request.documents.length === 0) {
    throw new ProtocolRequestError('documents must not be empty');
  }
  return {
    model: request.model ?? undefined,
    query: request.query,
    documents: request.documents.map((item) => (typeof item === 'string' ? item : item.text)),
    topN: request.top_n ?? undefined,
    returnDocuments: request.return_documents ?? false,
  };
}
