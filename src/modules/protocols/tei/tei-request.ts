import { HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../shared/parse-body';
import { ProtocolRequestError } from '../shared/protocol-errors';

/** One TEI sequence: a text, or a text pair for sequence-pair classifiers. */
export interface TeiSequence {
  readonly text: string;
  readonly pair?: string;
}

export interface TeiPredictRequest {
  /** False: `inputs` was one sequence, answered with a flat list. */
  readonly batch: boolean;
  readonly sequences: readonly TeiSequence[];
  readonly truncate: boolean;
  readonly rawScores: boolean;
}

export interface TeiRerankRequest {
  readonly query: string;
  readonly texts: readonly string[];
  readonly truncate: boolean;
  readonly rawScores: boolean;
  readonly returnText: boolean;
}

export interface TeiTokenizeRequest {
  readonly texts: readonly string[];
  readonly addSpecialTokens: boolean;
}

const EXPECTING =
  'inputs must be a string, a pair of strings [string, string] or a batch of mixed strings and pairs [[string], [string, string], ...]';

// TEI deserialises with serde and ignores fields it does not know; so do these schemas.
export const predictBody = z.looseObject({
  inputs: z.unknown(),
  truncate: z.boolean().nullish(),
  raw_scores: z.boolean().nullish(),
});

/** TEI's `RerankRequest`; exported for the OpenAPI document. */
export const teiRerankBodySchema = z.looseObject({
  query: z.string(),
  texts: z
    .array(z.string())
    .describe('Passages to score against the query (MAX_BATCH_ITEMS at most)'),
  truncate: z
    .boolean()
    .nullish()
    .describe('Cut pairs over the maximum length (default false: 413)'),
  raw_scores: z.boolean().nullish().describe("The rerank label's logit instead of its probability"),
  return_text: z.boolean().nullish(),
  // TEI's TruncationDirection; its serde reads either case.
  truncation_direction: z.enum(['Right', 'right', 'Left', 'left']).nullish(),
});

export const tokenizeBody = z.looseObject({
  inputs: z.union([z.string(), z.array(z.string())]),
  add_special_tokens: z.boolean().nullish(),
});

function shapeError(): ProtocolRequestError {
  return new ProtocolRequestError(EXPECTING, HttpStatus.UNPROCESSABLE_ENTITY);
}

/** `[a]` is a text and `[a, b]` a pair; anything else is not a sequence. */
function sequenceOf(value: unknown): TeiSequence {
  if (!Array.isArray(value)) throw shapeError();
  const items: unknown[] = value;
  if (!items.every((item): item is string => typeof item === 'string')) throw shapeError();
  if (items.length === 1) return { text: items[0] };
  if (items.length === 2) return { text: items[0], pair: items[1] };
  throw shapeError();
}

/** TEI's `PredictInput` rules: a string, a pair, or a batch of one- and two-element lists. */
function parseInputs(inputs: unknown): { batch: boolean; sequences: TeiSequence[] } {
  if (typeof inputs === 'string') return { batch: false, sequences: [{ text: inputs }] };
  if (!Array.isArray(inputs) || inputs.length === 0) throw shapeError();
  if (typeof inputs[0] === 'string') return { batch: false, sequences: [sequenceOf(inputs)] };
  return { batch: true, sequences: inputs.map(sequenceOf) };
}

/** Validates a TEI `/predict` body (`truncate` and `raw_scores` default to false, as in TEI). */
export function parseTeiPredict(body: unknown): TeiPredictRequest {
  const request = parseBody(predictBody, body, HttpStatus.UNPROCESSABLE_ENTITY);
  return {
    ...parseInputs(request.inputs),
    truncate: request.truncate ?? false,
    rawScores: request.raw_scores ?? false,
  };
}

/**
 * Validates a TEI `/rerank` body (`truncate`, `raw_scores` and `return_text` default to false,
 * as in TEI). Sift's tokenizers cut from the end only, so cutting from the left is refused
 * rather than silently done the other way.
 */
export function parseTeiRerank(body: unknown): TeiRerankRequest {
  const request = parseBody(teiRerankBodySchema, body, HttpStatus.UNPROCESSABLE_ENTITY);
  if (request.texts.length === 0) {
    throw new ProtocolRequestError('`texts` cannot be empty', HttpStatus.BAD_REQUEST);
  }
  const truncate = request.truncate ?? false;
  if (truncate && request.truncation_direction?.toLowerCase() === 'left') {
    throw new ProtocolRequestError(
      'truncation_direction "Left" is not supported: Sift cuts the end of the longer text',
      HttpStatus.UNPROCESSABLE_ENTITY,
    );
  }
  return {
    query: request.query,
    texts: request.texts,
    truncate,
    rawScores: request.raw_scores ?? false,
    returnText: request.return_text ?? false,
  };
}

/** Validates a TEI `/tokenize` body (`add_special_tokens` defaults to true, as in TEI). */
export function parseTeiTokenize(body: unknown): TeiTokenizeRequest {
  const request = parseBody(tokenizeBody, body, HttpStatus.UNPROCESSABLE_ENTITY);
  const texts = typeof request.inputs === 'string' ? [request.inputs] : request.inputs;
  if (texts.length === 0) {
    throw new ProtocolRequestError('`inputs` cannot be empty', HttpStatus.BAD_REQUEST);
  }
  return { texts, addSpecialTokens: request.add_special_tokens ?? true };
}
