import { createHash } from 'node:crypto';
import { MODEL_NAME_SOURCE, type TextInput } from '../inference';

/** Everything about a model that decides which cached answers are valid for it. */
export interface PredictionScope {
  readonly name: string;
  readonly version: string;
  /** Texts are truncated to this many tokens, so it changes the output for long texts. */
  readonly maxSequenceLength: number;
}

const KEY_NAMESPACE = 'sift';

/**
 * Bumped whenever the stored value's shape changes: it is hashed into every key, so a release
 * with a new shape never reads an entry an older release wrote to the shared Redis.
 */
const ENTRY_FORMAT = 2;

/**
 * `sift:<model>:<version>:<sha256>`: the version is the model files' hash, so a new model can
 * never be answered from an old entry; the digest covers the text (both texts of a pair) and
 * the settings that change the output.
 */
export function predictionKey(scope: PredictionScope, input: TextInput): string {
  // The prefix holds no ':' but the separators, so it cannot run into the text; hashing the
  // text directly avoids copying up to MAX_TEXT_CHARS into a JSON string per lookup. `s:` and
  // `p:<length of the first text>:` keep a text, and each split of a pair, apart.
  const hash = createHash('sha256').update(`${ENTRY_FORMAT}:${scope.maxSequenceLength}:`);
  if (typeof input === 'string') hash.update('s:').update(input);
  else hash.update(`p:${input.text.length}:`).update(input.text).update(input.pair);
  const digest = hash.digest('hex');
  return `${modelKeyPrefix(scope.name, scope.version)}${digest}`;
}

/**
 * The prefix every key of a model (or of one of its versions) starts with. Model names and
 * versions never contain ':', so `sift:spam:` cannot match the keys of `sift:spam-en:`.
 */
export function modelKeyPrefix(model: string, version?: string): string {
  return version === undefined
    ? `${KEY_NAMESPACE}:${model}:`
    : `${KEY_NAMESPACE}:${model}:${version}:`;
}

const PREDICTION_KEY = new RegExp(
  `^${KEY_NAMESPACE}:${MODEL_NAME_SOURCE}:[A-Za-z0-9._-]+:[0-9a-f]{64}$`,
);

/**
 * True for keys shaped as `predictionKey` makes them. Other features keep keys under `sift:`
 * too (rate-limit counters), so invalidation deletes only keys that pass this check.
 */
export function isPredictionKey(key: string): boolean {
  return PREDICTION_KEY.test(key);
}

/** A Redis SCAN MATCH pattern for keys starting with `prefix`, glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}
