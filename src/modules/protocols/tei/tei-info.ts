import type { AppConfig } from '../../../config';
import type { LoadedModel } from '../../inference';
import { SERVER_VERSION } from '../shared/server-identity';

/** text-embeddings-inference's `Info` document, for a sequence-classification model. */
export interface TeiInfo {
  readonly model_id: string;
  readonly model_sha: string;
  readonly model_dtype: string;
  readonly model_type: {
    readonly classifier: {
      readonly id2label: Readonly<Record<string, string>>;
      readonly label2id: Readonly<Record<string, number>>;
    };
  };
  readonly max_concurrent_requests: number;
  readonly max_input_length: number;
  readonly max_batch_tokens: number;
  readonly max_batch_requests: number;
  readonly max_client_batch_size: number;
  readonly auto_truncate: boolean;
  readonly tokenization_workers: number;
  readonly version: string;
  readonly sha: null;
  readonly docker_label: null;
}

export function teiInfo(model: LoadedModel, config: AppConfig): TeiInfo {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  model.config.labels.forEach((label, id) => {
    id2label[String(id)] = label;
    label2id[label] = id;
  });
  return {
    model_id: model.name,
    // TEI reports the model repository's revision; a Sift model's version is its files' hash.
    model_sha: model.version,
    model_dtype: 'float32',
    model_type: { classifier: { id2label, label2id } },
    max_concurrent_requests: config.MAX_QUEUE_TEXTS,
    max_input_length: model.maxSequenceLength,
    max_batch_tokens: model.batcher.maxBatchTokens,
    max_batch_requests: config.MAX_BATCH_SIZE,
    max_client_batch_size: config.MAX_BATCH_ITEMS,
    auto_truncate: false,
    // Tokenisation runs on the event loop, in the request that needs it.
    tokenization_workers: 1,
    version: SERVER_VERSION,
    sha: null,
    docker_label: null,
  };
}
