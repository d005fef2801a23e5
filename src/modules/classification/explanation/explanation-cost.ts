import { countWords } from './word-spans';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A text explained runs once plus once per word. */
function textCost(text: unknown): number {
  return typeof text === 'string' ? countWords(text) + 1 : 1;
}

/**
 * Rate-limit cost of `POST /classify`: words + 1 with `"explain": true`, else 1. Runs on the
 * parsed body before validation, so any value must give a number.
 */
export function classifyCost(body: unknown): number {
  if (!isRecord(body) || body.explain !== true) return 1;
  return textCost(body.text);
}

/**
 * Rate-limit cost of `POST /classify/batch`: the sum of words + 1 over the texts with
 * `"explain": true`; without it a batch counts once, as before explanations.
 */
export function classifyBatchCost(body: unknown): number {
  if (!isRecord(body) || body.explain !== true || !Array.isArray(body.texts)) return 1;
  let cost = 0;
  for (const text of body.texts as unknown[]) cost += textCost(text);
  return Math.max(cost, 1);
}
