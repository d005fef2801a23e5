import type { InferenceSession } from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';

import type { BertBatch } from '../hf/bert-encoding';

/**
 * Runs a BERT-style graph on a padded batch and returns each row's logits. Only the inputs the
 * graph declares are fed, as transformers.js does.
 */
export async function runBertLogits(
  session: InferenceSession,
  batch: BertBatch,
): Promise<Float32Array[]> {
  const dims = [batch.batchSize, batch.sequenceLength];
  const available: Record<string, BigInt64Array> = {
    input_ids: batch.inputIds,
    attention_mask: batch.attentionMask,
    token_type_ids: batch.tokenTypeIds,
  };
  const feeds: Record<string, Tensor> = {};
  for (const name of session.inputNames) {
    const data = available[name];
    if (!data) throw new Error(`graph input ${name} is not one a BERT tokenizer produces`);
    feeds[name] = new Tensor('int64', data, dims);
  }
  const { logits } = await session.run(feeds);
  const data = logits.data as Float32Array;
  const labels = Number(logits.dims[1]);
  return Array.from({ length: batch.batchSize }, (_, b) =>
    data.slice(b * labels, (b + 1) * labels),
  );
}
