import { HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import { parseBody } from '../shared/parse-body';

/** One input of the text-classification task: a text, or a text pair. */
export interface HfSequence {
  readonly text: string;
  readonly pair?: string;
}

export type HfFunctionToApply = 'softmax' | 'sigmoid' | 'none';

export interface HfTextClassificationRequest {
  readonly sequences: readonly HfSequence[];
  readonly topK?: number;
  readonly functionToApply?: HfFunctionToApply;
}

const pairInput = z.looseObject({ text: z.string(), text_pair: z.string().nullish() });
const sequenceInput = z.union([z.string(), pairInput]);

// The Inference API ignores parameters a task does not use; so does Sift.
export const hfRequestBody = z.looseObject({
  inputs: z.union([sequenceInput, z.array(sequenceInput).min(1)]),
  parameters: z
    .looseObject({
      top_k: z.number().int().min(1).nullish(),
      function_to_apply: z.enum(['softmax', 'sigmoid', 'none']).nullish(),
    })
    .nullish(),
});

function sequenceOf(input: z.infer<typeof sequenceInput>): HfSequence {
  if (typeof input === 'string') return { text: input };
  return input.text_pair === undefined || input.text_pair === null
    ? { text: input.text }
    : { text: input.text, pair: input.text_pair };
}

/**
 * The Hugging Face Inference API's text-classification body: `inputs` a string, a
 * `{text, text_pair}` object, or a list of either; `parameters.top_k` and
 * `parameters.function_to_apply` as the task defines them.
 */
export function parseHfTextClassification(raw: unknown): HfTextClassificationRequest {
  const request = parseBody(hfRequestBody, raw, HttpStatus.BAD_REQUEST);
  const inputs = Array.isArray(request.inputs) ? request.inputs : [request.inputs];
  return {
    sequences: inputs.map(sequenceOf),
    topK: request.parameters?.top_k ?? undefined,
    functionToApply: request.parameters?.function_to_apply ?? undefined,
  };
}
