import { z } from 'zod';

/**
 * Which graph of a model folder is served, named as transformers.js names them: `fp32` is
 * `model.onnx`, `q8` is `model_quantized.onnx` (int8 weights, made by `npm run quantize`).
 */
export const MODEL_DTYPES = ['fp32', 'q8'] as const;

/** A graph variant of a model folder; see {@link MODEL_DTYPES}. */
export type ModelDtype = (typeof MODEL_DTYPES)[number];

/** MODEL_DTYPE parsed: the variant for every model, and overrides by folder name. */
export interface ModelDtypeSetting {
  readonly default: ModelDtype;
  readonly byModel: Readonly<Record<string, ModelDtype>>;
}

/** Whether `value` names a {@link ModelDtype}. */
export function isModelDtype(value: string): value is ModelDtype {
  return (MODEL_DTYPES as readonly string[]).includes(value);
}

/**
 * `MODEL_DTYPE`: comma-separated entries, each either a dtype for every model (`q8`) or
 * `<model folder>:<dtype>` for one (`fp32,spam-en:q8`). One default, one entry per model.
 */
export const modelDtypeSetting = z.string().transform((value, ctx): ModelDtypeSetting => {
  const byModel: Record<string, ModelDtype> = {};
  let fallback: ModelDtype | undefined;
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  for (const entry of value.split(',').map((item) => item.trim())) {
    if (entry === '') continue;
    const [model, dtype, extra] = entry.includes(':') ? entry.split(':') : [undefined, entry];
    if (extra !== undefined || !isModelDtype(dtype) || model === '') {
      return fail(
        `"${entry}" is not <dtype> or <model>:<dtype> with dtype ${MODEL_DTYPES.join(' or ')}`,
      );
    }
    if (model === undefined) {
      if (fallback !== undefined) return fail('names the default dtype twice');
      fallback = dtype;
    } else {
      if (model in byModel) return fail(`names model "${model}" twice`);
      byModel[model] = dtype;
    }
  }
  return { default: fallback ?? 'fp32', byModel };
});
