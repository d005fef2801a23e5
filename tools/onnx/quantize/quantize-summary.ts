import { type WeightFormat, weightLimit } from './int8-weights';
import type { QuantizeResult } from './quantize-model';

/** File facts the summary prints beside the rewrite's report. */
export interface QuantizeSummaryFacts {
  readonly source: string;
  readonly target: string;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly perChannel: boolean;
  readonly weightFormat: WeightFormat;
}

/** A human-readable account of one quantization: counts by op, skips with reasons, sizes. */
export function formatQuantizeSummary(result: QuantizeResult, facts: QuantizeSummaryFacts): string {
  const byOp = new Map<string, number>();
  for (const q of result.quantized) byOp.set(q.opType, (byOp.get(q.opType) ?? 0) + 1);
  const counts = [...byOp].map(([op, n]) => `${n} ${op}`).join(', ');
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const lines = [
    `${facts.source} → ${facts.target}`,
    `quantized ${result.quantized.length} nodes (${counts}), MatMul/Gemm weights ${formatName(facts.weightFormat)} ${facts.perChannel ? 'per channel' : 'per tensor'}`,
    `skipped ${result.skipped.length} nodes${result.skipped.length > 0 ? ':' : ''}`,
    ...result.skipped.map((s) => `  ${s.name} (${s.opType}): ${s.reason}`),
    `size ${mb(facts.bytesBefore)} → ${mb(facts.bytesAfter)} (${((100 * facts.bytesAfter) / facts.bytesBefore).toFixed(1)}%)`,
  ];
  return lines.join('\n');
}

function formatName(format: WeightFormat): string {
  if (format === 'uint8') return 'uint8 (U8U8, zero point 128)';
  return `${format} (±${weightLimit(format)})`;
}
