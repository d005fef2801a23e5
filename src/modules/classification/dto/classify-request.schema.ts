import { z } from 'zod';
import { MODEL_NAME_PATTERN } from '../../inference';

export const MODEL_VERSION_MAX_LENGTH = 64;
export const TOP_K_MAX = 10000;

/** JSON `null` reads as a field left out, for every optional field. */
function optional<T extends z.ZodType>(schema: T, documentation: z.GlobalMeta) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .meta(documentation);
}

function requiredString(field: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined || issue.input === null
        ? `${field} is required`
        : `${field} must be a string`,
  });
}

function stringList(field: string) {
  return z.array(z.string({ error: `each value in ${field} must be a string` }), {
    error: (issue) =>
      issue.input === undefined || issue.input === null
        ? `${field} is required`
        : `${field} must be an array`,
  });
}

/** Fields both classify routes accept besides the text(s), in the order errors list them. */
const modelSelection = {
  model: optional(
    z
      .string({ error: 'model must be a string' })
      .regex(MODEL_NAME_PATTERN, { error: 'model must be a model name as listed by GET /models' }),
    {
      description: 'Model name as listed by `GET /models`; the default model when left out',
      example: 'spam-en',
    },
  ),
  model_version: optional(
    z.string({ error: 'model_version must be a string' }).max(MODEL_VERSION_MAX_LENGTH, {
      error: `model_version must be shorter than or equal to ${MODEL_VERSION_MAX_LENGTH} characters`,
    }),
    {
      description:
        '`latest`, or the exact version `GET /models` reports; any other version is a 404, so a pinned client notices a model change',
      example: 'latest',
    },
  ),
  top_k: optional(
    z
      .number({ error: 'top_k must be an integer number' })
      .int({ error: 'top_k must be an integer number' })
      .min(1, { error: 'top_k must not be less than 1' })
      .max(TOP_K_MAX, { error: `top_k must not be greater than ${TOP_K_MAX}` }),
    {
      description:
        'Labels in `scores`: the most probable `top_k`. Default: all labels, or `DEFAULT_TOP_K` for models with more than 10 labels',
      example: 2,
    },
  ),
};

function explainField(description: string) {
  return optional(z.boolean({ error: 'explain must be a boolean' }), {
    description,
    example: true,
  });
}

const EXPLAIN_RULES =
  'each word (a run of non-whitespace) is deleted in turn and the text classified again; ' +
  'a text of more than `EXPLAIN_MAX_WORDS` words is a 422, and an explained text counts as ' +
  'its words + 1 texts against the rate limit';

/** `POST /classify`. Blank texts are refused later by the text rules, with their limits. */
export const classifyRequestSchema = z
  .strictObject({
    ...modelSelection,
    text: requiredString('text').meta({
      description: 'The text to classify (at most `MAX_TEXT_CHARS` characters)',
      example: 'Congratulations! You won a FREE cruise, click here to claim',
    }),
    text_pair: optional(z.string({ error: 'text_pair must be a string' }), {
      description:
        'The second text, for sequence-pair models (NLI, re-rankers, paraphrase detection); ' +
        'a model whose preprocessor takes single texts (fastText) answers 422',
    }),
    explain: explainField(
      `true: the result carries \`explanation\`, each word's weight toward the label: ${EXPLAIN_RULES}`,
    ),
  })
  .meta({ title: 'ClassifyRequest' });

/** `POST /classify/batch`: `text_pairs[i]` is the second text of `texts[i]`. */
export const classifyBatchRequestSchema = z
  .strictObject({
    ...modelSelection,
    texts: stringList('texts')
      .min(1, { error: 'texts must contain at least one text' })
      .meta({
        description:
          'The texts to classify (at most `MAX_BATCH_ITEMS`, each at most `MAX_TEXT_CHARS` characters)',
        example: [
          'Congratulations! You won a FREE cruise, click here to claim',
          'See you at lunch?',
        ],
      }),
    text_pairs: optional(stringList('text_pairs'), {
      description: '`text_pairs[i]` is the second text of `texts[i]`; as many items as `texts`',
    }),
    explain: explainField(
      `true: every result carries \`explanation\` (of \`texts[i]\`): ${EXPLAIN_RULES}; ` +
        'the words + 1 of all texts together must fit `MAX_BATCH_ITEMS` (or `EXPLAIN_MAX_WORDS` + 1 when that is more)',
    ),
  })
  .superRefine(({ texts, text_pairs: pairs }, context) => {
    if (pairs === undefined || pairs.length === texts.length) return;
    context.addIssue({
      code: 'custom',
      path: ['text_pairs'],
      message: `text_pairs must have as many items as texts (${texts.length}, got ${pairs.length})`,
    });
  })
  .meta({ title: 'ClassifyBatchRequest' });

/** A line of `POST /classify/stream`: a `/classify` body with an optional id to answer with. */
export const classifyStreamLineSchema = classifyRequestSchema
  .extend({
    id: optional(
      z.union([z.string().max(256), z.number()], {
        error: 'id must be a string of at most 256 characters or a number',
      }),
      {
        description:
          'Given back on the answer line; left out, the answer carries the line number (from 1)',
        example: 'ticket-1042',
      },
    ),
  })
  .meta({ title: 'ClassifyStreamLine' });

/** `POST /classify/stream`'s query: defaults for lines that name no model or top_k. */
export const classifyStreamQuerySchema = z
  .strictObject({
    model: modelSelection.model,
    model_version: modelSelection.model_version,
    top_k: optional(
      z.coerce
        .number({ error: 'top_k must be an integer number' })
        .int({ error: 'top_k must be an integer number' })
        .min(1, { error: 'top_k must not be less than 1' })
        .max(TOP_K_MAX, { error: `top_k must not be greater than ${TOP_K_MAX}` }),
      { description: 'Labels in `scores` for lines that set no `top_k`' },
    ),
  })
  .meta({ title: 'ClassifyStreamQuery' });

export type ClassifyRequest = z.output<typeof classifyRequestSchema>;
export type ClassifyBatchRequest = z.output<typeof classifyBatchRequestSchema>;
export type ClassifyStreamLine = z.output<typeof classifyStreamLineSchema>;
export type ClassifyStreamQuery = z.output<typeof classifyStreamQuerySchema>;
