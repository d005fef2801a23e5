import { z } from 'zod';
import { parseBody } from '../shared/parse-body';
import { ProtocolRequestError } from '../shared/protocol-errors';

/** Input and output tensor names Sift's V2 models declare. */
export const V2_TEXT_INPUT = 'text';
/** The second texts of text pairs, row for row with `text` (sequence-pair models). */
export const V2_TEXT_PAIR_INPUT = 'text_pair';
const V2_INPUTS = [V2_TEXT_INPUT, V2_TEXT_PAIR_INPUT];
export const V2_PROBABILITIES_OUTPUT = 'probabilities';
export const V2_LABEL_OUTPUT = 'label';
const V2_OUTPUTS = [V2_PROBABILITIES_OUTPUT, V2_LABEL_OUTPUT] as const;
export type V2OutputName = (typeof V2_OUTPUTS)[number];

const parameters = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .optional();

const requestInput = z.looseObject({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.string(),
  parameters,
  data: z.array(z.unknown()),
});

const requestOutput = z.looseObject({ name: z.string(), parameters });

export const inferRequest = z.looseObject({
  id: z.string().optional(),
  parameters,
  inputs: z.array(requestInput).min(1),
  outputs: z.array(requestOutput).optional(),
});

/** One output the client asked for; `classification` is Triton's top-k extension. */
export interface V2RequestedOutput {
  readonly name: V2OutputName;
  readonly classification?: number;
}

export interface V2InferRequest {
  readonly id?: string;
  readonly texts: readonly string[];
  /** `pairs[i]` is the second text of `texts[i]`, when the request has a `text_pair` input. */
  readonly pairs?: readonly string[];
  readonly outputs: readonly V2RequestedOutput[];
}

/** Tensor data may be flat or nested as its shape (the spec allows both); row-major either way. */
function flatten(data: readonly unknown[]): unknown[] {
  return data.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}

function texts(input: z.infer<typeof requestInput>): string[] {
  if (input.datatype !== 'BYTES') {
    throw new ProtocolRequestError(
      `input "${input.name}" must have datatype BYTES (got ${input.datatype})`,
    );
  }
  const data = flatten(input.data);
  const elements = input.shape.reduce((product, size) => product * size, 1);
  if (input.shape.length === 0 || elements !== data.length) {
    throw new ProtocolRequestError(
      `input "${input.name}" has shape [${input.shape.join(', ')}] but ${data.length} data elements`,
    );
  }
  if (data.length === 0) throw new ProtocolRequestError(`input "${input.name}" has no data`);
  return data.map((item, index) => {
    if (typeof item !== 'string') {
      throw new ProtocolRequestError(`input "${input.name}" data[${index}] must be a string`);
    }
    return item;
  });
}

function requestedOutput(output: z.infer<typeof requestOutput>): V2RequestedOutput {
  const name = V2_OUTPUTS.find((known) => known === output.name);
  if (name === undefined) {
    throw new ProtocolRequestError(
      `unknown output "${output.name}"; the model produces ${V2_OUTPUTS.map((known) => `"${known}"`).join(', ')}`,
    );
  }
  const classification = output.parameters?.classification;
  if (classification === undefined || classification === null) return { name };
  if (
    typeof classification !== 'number' ||
    !Number.isInteger(classification) ||
    classification < 1
  ) {
    throw new ProtocolRequestError(
      `output "${name}" parameter "classification" must be a positive integer`,
    );
  }
  if (name !== V2_PROBABILITIES_OUTPUT) {
    throw new ProtocolRequestError(
      `output "${name}" is BYTES; "classification" applies to "${V2_PROBABILITIES_OUTPUT}"`,
    );
  }
  return { name, classification };
}

/** Validates an Open Inference Protocol `$inference_request` for a text classifier. */
export function parseV2InferRequest(body: unknown): V2InferRequest {
  const request = parseBody(inferRequest, body);
  for (const input of request.inputs) {
    if (!V2_INPUTS.includes(input.name)) {
      throw new ProtocolRequestError(
        `unknown input "${input.name}"; the model takes "${V2_TEXT_INPUT}" (BYTES) and, for text pairs, "${V2_TEXT_PAIR_INPUT}" (BYTES)`,
      );
    }
  }
  const named = (name: string) => request.inputs.filter((input) => input.name === name);
  const [text, ...extraTexts] = named(V2_TEXT_INPUT);
  const [pair, ...extraPairs] = named(V2_TEXT_PAIR_INPUT);
  if (extraTexts.length > 0 || extraPairs.length > 0) {
    throw new ProtocolRequestError('each input may be given once');
  }
  if (text === undefined) throw new ProtocolRequestError(`input "${V2_TEXT_INPUT}" is missing`);
  const outputs =
    request.outputs === undefined || request.outputs.length === 0
      ? V2_OUTPUTS.map((name) => ({ name }))
      : request.outputs.map(requestedOutput);
  const firsts = texts(text);
  if (pair === undefined) return { id: request.id, texts: firsts, outputs };
  const seconds = texts(pair);
  if (seconds.length !== firsts.length) {
    throw new ProtocolRequestError(
      `input "${V2_TEXT_PAIR_INPUT}" must have as many elements as "${V2_TEXT_INPUT}" (${firsts.length}, got ${seconds.length})`,
    );
  }
  return { id: request.id, texts: firsts, pairs: seconds, outputs };
}
