/**
 * `npm run quantize:check`: how far int8 dynamic quantization moves each model's answers.
 * Quantizes the current model.onnx in memory (so it always measures the quantizer and model of
 * this checkout), runs every held-out text alone through both graphs and prints top-1
 * agreement, max/mean |Δp|, held-out F1 where labels exist, and file sizes, against targets.
 * Texts run one at a time because DynamicQuantizeLinear's scale spans the whole batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';

import { BERT_BENCH_DIR, ensureBertBenchModel, SPAM_EN_DIR } from './bert-bench/bert-bench.builder';
import { BertTextEncoder, padBatch } from './hf/bert-encoding';
import { runBertLogits } from './onnx/bert-session';
import { argmax, compareProbabilities, type Fidelity, softmax } from './onnx/quantize/fidelity';
import { quantizeModel } from './onnx/quantize/quantize-model';
import { binaryMetrics } from './spam/binary-metrics';
import { loadSpamSplit, type LabeledText } from './spam/corpus';

interface Check {
  readonly name: string;
  readonly dir: string;
  readonly texts: readonly LabeledText[];
  readonly minAgreement: number;
  /** Largest allowed drop of held-out F1 (spam = positive), when labels mean something. */
  readonly maxF1Drop?: number;
  readonly maxSizeRatio?: number;
}

const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  // One thread: the check shares the machine; its answers do not depend on thread count.
  intraOpNumThreads: 1,
};

async function probabilities(
  graph: Uint8Array,
  encoder: BertTextEncoder,
  texts: readonly LabeledText[],
): Promise<number[][]> {
  const session = await InferenceSession.create(graph, SESSION_OPTIONS);
  const out: number[][] = [];
  for (const { text } of texts) {
    const [logits] = await runBertLogits(session, padBatch([encoder.encode(text)], encoder.padId));
    out.push(softmax(logits));
  }
  await session.release();
  return out;
}

async function runCheck(check: Check): Promise<{ lines: string[]; ok: boolean }> {
  const float = readFileSync(join(check.dir, 'onnx', 'model.onnx'));
  const { bytes: quantized } = quantizeModel(float);
  const encoder = BertTextEncoder.fromFolder(check.dir);
  const reference = await probabilities(float, encoder, check.texts);
  const candidate = await probabilities(quantized, encoder, check.texts);
  const fidelity: Fidelity = compareProbabilities(reference, candidate);
  const ratio = quantized.length / float.length;
  const lines = [
    `${check.name}: ${fidelity.texts} held-out texts, each run alone`,
    verdict(
      `  top-1 agreement ${(100 * fidelity.agreement).toFixed(2)}%`,
      fidelity.agreement >= check.minAgreement,
      `≥ ${100 * check.minAgreement}%`,
    ),
    `  |Δp| max ${fidelity.maxDelta.toExponential(2)}, mean ${fidelity.meanDelta.toExponential(2)}`,
    sizeLine(float.length, quantized.length, check.maxSizeRatio),
  ];
  let ok = fidelity.agreement >= check.minAgreement && ratio < (check.maxSizeRatio ?? 1);
  if (check.maxF1Drop !== undefined) {
    const actual = check.texts.map((t) => (t.label === 'spam' ? 1 : 0));
    const f1 = (probs: number[][]) => binaryMetrics(probs.map(argmax), actual).f1;
    const [before, after] = [f1(reference), f1(candidate)];
    const drop = before - after;
    ok &&= drop <= check.maxF1Drop;
    lines.push(
      verdict(
        `  held-out F1 fp32 ${before.toFixed(4)}, q8 ${after.toFixed(4)} (Δ ${(-drop).toFixed(4)})`,
        drop <= check.maxF1Drop,
        `drop ≤ ${check.maxF1Drop}`,
      ),
    );
  }
  return { lines, ok };
}

function sizeLine(before: number, after: number, maxRatio: number | undefined): string {
  const ratio = after / before;
  const line = `  size ${(before / 1e6).toFixed(2)} MB → ${(after / 1e6).toFixed(2)} MB (${(100 * ratio).toFixed(1)}%)`;
  return maxRatio === undefined ? line : verdict(line, ratio < maxRatio, `< ${100 * maxRatio}%`);
}

function verdict(line: string, met: boolean, target: string): string {
  return `${line}  [${met ? 'meets' : 'MISSES'} target ${target}]`;
}

async function main(): Promise<number> {
  ensureBertBenchModel();
  const { heldOut } = loadSpamSplit();
  const checks: Check[] = [
    { name: 'spam-en', dir: SPAM_EN_DIR, texts: heldOut, minAgreement: 0.995, maxF1Drop: 0.005 },
    {
      name: 'bert-bench',
      dir: BERT_BENCH_DIR,
      texts: heldOut.slice(0, 1000),
      minAgreement: 0.99,
      maxSizeRatio: 0.45,
    },
  ];
  let ok = true;
  for (const check of checks) {
    const result = await runCheck(check);
    console.log(result.lines.join('\n'));
    ok &&= result.ok;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
