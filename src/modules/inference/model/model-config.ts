import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from '../inference.errors';

export type ProblemType = 'single_label_classification' | 'multi_label_classification';
/** How the graph's `logits` become probabilities. */
export type Activation = 'softmax' | 'sigmoid' | 'exp' | 'none';

export interface ModelConfig {
  readonly labels: readonly string[];
  readonly problemType: ProblemType;
  readonly activation: Activation;
  /** From tokenizer_config.json / config.json; undefined when the folder does not say. */
  readonly modelMaxLength: number | undefined;
  /**
   * `sift.max_length`, the older spelling of sift.json's `max_sequence_length`: still honoured
   * so existing folders load, with a warning (see prepareModel); sift.json wins when both say.
   */
  readonly declaredMaxLength: number | undefined;
  /**
   * How to read this export (`"sift"` object in config.json: preprocessor, vocab_file,
   * activation); empty for plain HF exports. Serving settings live in sift.json.
   */
  readonly sift: Record<string, unknown>;
  /** tokenizer_config.json, parsed once here for the preprocessor too; undefined when absent. */
  readonly tokenizerConfig: Record<string, unknown> | undefined;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readJsonFile(modelDir: string, file: string): JsonObject {
  let raw: string;
  try {
    raw = readFileSync(join(modelDir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelLoadError(modelDir, file, code === 'ENOENT' ? 'file is missing' : String(error));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ModelLoadError(modelDir, file, `invalid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new ModelLoadError(modelDir, file, 'must hold a JSON object');
  return parsed;
}

export function readOptionalJsonFile(modelDir: string, file: string): JsonObject | undefined {
  try {
    return readJsonFile(modelDir, file);
  } catch (error) {
    if (error instanceof ModelLoadError && error.problem === 'file is missing') {
      return undefined;
    }
    throw error;
  }
}

/** Labels in id order; ids must be exactly 0..n-1 as HF exports write them. */
function parseLabels(modelDir: string, config: JsonObject): string[] {
  const id2label = config.id2label;
  if (!isObject(id2label) || Object.keys(id2label).length === 0) {
    throw new ModelLoadError(modelDir, 'config.json', 'id2label is missing or empty');
  }
  const entries = Object.entries(id2label);
  const labels = new Array<string>(entries.length);
  for (const [id, label] of entries) {
    const index = Number(id);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
      throw new ModelLoadError(
        modelDir,
        'config.json',
        `id2label ids must be 0..${entries.length - 1}, got "${id}"`,
      );
    }
    if (typeof label !== 'string' || label.length === 0) {
      throw new ModelLoadError(modelDir, 'config.json', `id2label["${id}"] must be a string`);
    }
    labels[index] = label;
  }
  if (new Set(labels).size !== labels.length) {
    throw new ModelLoadError(modelDir, 'config.json', 'id2label has duplicate labels');
  }
  return labels;
}

/**
 * The activation `sift.activation` names, else Hugging Face's text-classification pipeline rule:
 * a sigmoid for multi-label models and for one-logit models (cross-encoder re-rankers, whose
 * softmax over one logit would always be 1), a softmax otherwise.
 */
function parseActivation(
  modelDir: string,
  sift: JsonObject,
  problemType: ProblemType,
  labelCount: number,
): Activation {
  const requested = sift.activation;
  if (requested === undefined) {
    return problemType === 'multi_label_classification' || labelCount === 1 ? 'sigmoid' : 'softmax';
  }
  if (
    requested === 'softmax' ||
    requested === 'sigmoid' ||
    requested === 'exp' ||
    requested === 'none'
  ) {
    return requested;
  }
  throw new ModelLoadError(
    modelDir,
    'config.json',
    `sift.activation must be softmax, sigmoid, exp or none, got ${JSON.stringify(requested)}`,
  );
}

function positiveInteger(value: unknown): number | undefined {
  // HF writes a huge sentinel (1e30) when a tokenizer has no limit.
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9
    ? value
    : undefined;
}

export function readModelConfig(modelDir: string): ModelConfig {
  const config = readJsonFile(modelDir, 'config.json');
  const labels = parseLabels(modelDir, config);

  const problemTypeRaw = config.problem_type ?? 'single_label_classification';
  if (
    problemTypeRaw !== 'single_label_classification' &&
    problemTypeRaw !== 'multi_label_classification'
  ) {
    throw new ModelLoadError(
      modelDir,
      'config.json',
      `problem_type ${JSON.stringify(problemTypeRaw)} is not a classification type`,
    );
  }
  const sift = isObject(config.sift) ? config.sift : {};
  const tokenizerConfig = readOptionalJsonFile(modelDir, 'tokenizer_config.json');
  const modelMaxLength =
    positiveInteger(tokenizerConfig?.model_max_length) ??
    positiveInteger(config.max_position_embeddings);

  return {
    labels,
    problemType: problemTypeRaw,
    activation: parseActivation(modelDir, sift, problemTypeRaw, labels.length),
    modelMaxLength,
    declaredMaxLength: positiveInteger(sift.max_length),
    sift,
    tokenizerConfig,
  };
}
