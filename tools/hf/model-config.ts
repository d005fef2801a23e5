import type { JsonValue } from './tokenizer-files';

/** The fields of a BERT `config.json` that differ between our models. */
export interface BertConfigOptions {
  readonly labels: readonly string[];
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly maxPositionEmbeddings: number;
  /** `single_label_classification` (softmax) unless the model is multi-label (sigmoid). */
  readonly problemType?: 'single_label_classification' | 'multi_label_classification';
  /** Extra keys, e.g. a description of a non-standard graph; transformers ignores unknown keys. */
  readonly extra?: Readonly<Record<string, JsonValue>>;
}

/**
 * A `config.json` in the shape transformers writes for `BertForSequenceClassification`:
 * `model_type: "bert"` is what makes transformers.js pick its sequence-classification class.
 */
export function bertConfig(options: BertConfigOptions): JsonValue {
  const id2label: Record<string, JsonValue> = {};
  const label2id: Record<string, JsonValue> = {};
  options.labels.forEach((label, id) => {
    id2label[String(id)] = label;
    label2id[label] = id;
  });
  return {
    architectures: ['BertForSequenceClassification'],
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: options.hiddenSize,
    id2label,
    initializer_range: 0.02,
    intermediate_size: options.intermediateSize,
    label2id,
    layer_norm_eps: 1e-12,
    max_position_embeddings: options.maxPositionEmbeddings,
    model_type: 'bert',
    num_attention_heads: options.numAttentionHeads,
    num_hidden_layers: options.numHiddenLayers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    problem_type: options.problemType ?? 'single_label_classification',
    torch_dtype: 'float32',
    type_vocab_size: 2,
    use_cache: true,
    vocab_size: options.vocabSize,
    ...options.extra,
  };
}
