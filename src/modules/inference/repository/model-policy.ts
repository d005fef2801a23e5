import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelLoadError } from '../inference.errors';

/** The optional per-model file beside the version folders (or the flat model's files). */
export const POLICY_FILE = 'sift.json';

const positive = z.number().int().min(1);

/** Triton's `version_policy`, in JSON: serve the newest n, every version, or a fixed list. */
const versionPolicy = z.union([
  z.strictObject({ latest: z.strictObject({ num_versions: positive }) }),
  z.strictObject({ all: z.strictObject({}) }),
  z.strictObject({
    specific: z.strictObject({ versions: z.array(z.number().int().min(0)).min(1) }),
  }),
]);

const policySchema = z.strictObject({
  version_policy: versionPolicy.optional(),
  max_sequence_length: z.number().int().min(2).max(100000).optional(),
  max_batch_tokens: positive.optional(),
  workers: z.number().int().min(0).max(64).optional(),
  default_top_k: positive.optional(),
  /** Label id (as in config.json's id2label) or current label → the label to report. */
  labels: z.record(z.string(), z.string().min(1)).optional(),
  /** The label whose probability ranks passages on the rerank routes (after `labels`). */
  rerank_label: z.string().min(1).optional(),
});

export type VersionPolicy = z.infer<typeof versionPolicy>;

/** A model's `sift.json`: settings that would otherwise come from the global configuration. */
export interface ModelPolicy {
  readonly versionPolicy: VersionPolicy;
  readonly maxSequenceLength?: number;
  readonly maxBatchTokens?: number;
  readonly workers?: number;
  readonly defaultTopK?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly rerankLabel?: string;
}

/** Triton's default: only the newest version serves. */
export const DEFAULT_POLICY: ModelPolicy = { versionPolicy: { latest: { num_versions: 1 } } };

/** Reads and validates `<modelRoot>/sift.json`; no file means the default policy. */
export function readModelPolicy(modelRoot: string): ModelPolicy {
  let raw: string;
  try {
    raw = readFileSync(join(modelRoot, POLICY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_POLICY;
    throw new ModelLoadError(modelRoot, POLICY_FILE, String(error));
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ModelLoadError(modelRoot, POLICY_FILE, `invalid JSON (${(error as Error).message})`);
  }
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(file)';
      return `${field}: ${issue.message}`;
    });
    throw new ModelLoadError(modelRoot, POLICY_FILE, problems.join('; '));
  }
  const { version_policy: policy, ...settings } = parsed.data;
  return {
    versionPolicy: policy ?? DEFAULT_POLICY.versionPolicy,
    maxSequenceLength: settings.max_sequence_length,
    maxBatchTokens: settings.max_batch_tokens,
    workers: settings.workers,
    defaultTopK: settings.default_top_k,
    labels: settings.labels,
    rerankLabel: settings.rerank_label,
  };
}

/** The version numbers a policy serves, out of those on disk (ascending). */
export function selectVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  const sorted = [...available].sort((a, b) => a - b);
  if ('all' in policy) return sorted;
  if ('latest' in policy) return sorted.slice(-policy.latest.num_versions);
  const wanted = new Set(policy.specific.versions);
  return sorted.filter((version) => wanted.has(version));
}

/** Applies `labels` overrides (by id or by label) to labels in id order. */
export function relabel(
  labels: readonly string[],
  overrides: Readonly<Record<string, string>> | undefined,
): readonly string[] {
  if (overrides === undefined) return labels;
  return labels.map((label, id) => overrides[String(id)] ?? overrides[label] ?? label);
}

/**
 * The id of the label whose probability is a passage's relevance on the rerank routes:
 * `rerank_label` (a label as served, after `labels`), else the last label, which is the
 * positive class of two-label cross-encoders and the only one of one-logit re-rankers.
 */
export function rerankIndex(
  modelDir: string,
  labels: readonly string[],
  rerankLabel: string | undefined,
): number {
  if (rerankLabel === undefined) return labels.length - 1;
  const index = labels.indexOf(rerankLabel);
  if (index === -1) {
    throw new ModelLoadError(
      modelDir,
      POLICY_FILE,
      `rerank_label "${rerankLabel}" is not one of the model's labels (${labels.join(', ')})`,
    );
  }
  return index;
}
