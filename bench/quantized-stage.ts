import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { quantizeModel } from '../tools/onnx/quantize/quantize-model';
import type { ScenarioResult } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';
import { measureScenario } from './scenario';
import { modelDir, startSift } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { TARGET_MODEL } from './targets';
import { distinctBodies, exactLengthTexts } from './text-sets';

/** Tokens per text ([CLS] and [SEP] included): a typical e-mail, as the issue asks. */
export const QUANTIZED_TOKENS = 300;
export const QUANTIZED_CONCURRENCY = 64;
/** Variants in ABBA order, so load drift on a shared machine falls on both alike. */
const ORDER = ['fp32', 'q8', 'q8', 'fp32'] as const;
/** Progress steps of the stage: two warm-ups and the measured rows. */
export const QUANTIZED_STAGE_STEPS = 2 + ORDER.length;

/** Writes model_quantized.onnx beside the float graph when it is missing or older. */
export function ensureQuantized(dir: string, log: (message: string) => void): void {
  const float = join(dir, 'onnx', 'model.onnx');
  const quantized = join(dir, 'onnx', 'model_quantized.onnx');
  if (existsSync(quantized) && statSync(quantized).mtimeMs >= statSync(float).mtimeMs) return;
  log(`quantizing ${float} (npm run quantize)`);
  writeFileSync(quantized, quantizeModel(readFileSync(float)).bytes);
}

/**
 * bert-bench's q8 graph beside its fp32 graph in one Sift process (MODELS=bert-bench,
 * bert-bench@q8), cache off, c=64, distinct ~300-token texts; the report prints the ratio.
 */
export async function runQuantizedStage(context: StageContext): Promise<ScenarioResult[]> {
  const { progress, children, options } = context;
  const dir = modelDir(TARGET_MODEL);
  ensureQuantized(dir, (message) => progress.note(message));
  const tokenizer = BenchTokenizer.load(dir);
  const texts = exactLengthTexts(context.texts.distinct, tokenizer, QUANTIZED_TOKENS, 2000);
  const names = { fp32: TARGET_MODEL, q8: `${TARGET_MODEL}@q8` };
  progress.note(`starting sift (CACHE_ENABLED=false) with ${names.fp32} and ${names.q8}`);
  const sift = await startSift(children, `${names.fp32},${names.q8}`, false);
  const scenarios: ScenarioResult[] = [];
  try {
    for (const name of Object.values(names)) {
      await warmUp(context, sift, `${name} · sift`, distinctBodies(context.texts.warmup, name));
    }
    for (const variant of ORDER) {
      const scenario = {
        target: 'sift' as const,
        model: names[variant],
        workload: 'tokens-300' as const,
        concurrency: QUANTIZED_CONCURRENCY,
        durationS: options.durationS,
        nextBody: distinctBodies(texts, names[variant]),
        scrape: true,
      };
      scenarios.push(await measureScenario(sift, scenario, progress));
    }
  } finally {
    await children.stop(sift.child);
  }
  return scenarios;
}

/** q8 texts/s over fp32 texts/s in this stage's rows, or undefined when it did not run. */
export function quantizedSpeedUp(scenarios: readonly ScenarioResult[]): number | undefined {
  const rate = (model: string): number | undefined => {
    const rows = scenarios.filter((s) => s.workload === 'tokens-300' && s.model === model);
    if (rows.length === 0) return undefined;
    return rows.reduce((sum, s) => sum + s.textsPerSecond, 0) / rows.length;
  };
  const [fp32, q8] = [rate(TARGET_MODEL), rate(`${TARGET_MODEL}@q8`)];
  return fp32 === undefined || q8 === undefined || fp32 === 0 ? undefined : q8 / fp32;
}
