import { MODEL_DTYPES } from '../../../config';

/**
 * A model's name as requests use it: its folder's name (a letter or digit, then at most 99
 * more of letters, digits, `.`, `_`, `-`), and `@<dtype>` for a variant served beside the
 * folder's default (MODELS). Unanchored, for patterns that embed it (prediction keys).
 */
export const MODEL_NAME_SOURCE = `[A-Za-z0-9][A-Za-z0-9._-]{0,99}(@(${MODEL_DTYPES.join('|')}))?`;

/** Every place that accepts a model name checks it with this (request DTOs, admin loads). */
export const MODEL_NAME_PATTERN = new RegExp(`^${MODEL_NAME_SOURCE}$`);
