import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** BERT's special tokens, in the id order {@link bertVocabulary} gives them. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Options shared by the BERT tokenizer files. */
export interface BertTokenizerOptions {
  /** The vocabulary in id order; must contain the five {@link BERT_SPECIAL_TOKENS}. */
  readonly vocab: readonly string[];
  /** `model_max_length` in tokenizer_config.json; transformers.js truncates to it. */
  readonly modelMaxLength: number;
}

/** JSON-serializable value, so the writers stay free of `any`. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

interface AddedToken {
  readonly id: number;
  readonly content: string;
}

function specialTokens(vocab: readonly string[]): AddedToken[] {
  return BERT_SPECIAL_TOKENS.map((content) => {
    const id = vocab.indexOf(content);
    if (id === -1) throw new Error(`vocabulary lacks the special token ${content}`);
    return { id, content };
  });
}

/** A `tokenizer.json` for an uncased BERT WordPiece tokenizer, as `tokenizers` writes it. */
export function bertTokenizerJson(options: BertTokenizerOptions): JsonValue {
  const { vocab } = options;
  const specials = specialTokens(vocab);
  const idOf = (token: string): number => vocab.indexOf(token);
  const special = (id: string, typeId: number): JsonValue => ({
    SpecialToken: { id, type_id: typeId },
  });
  const sequence = (id: string, typeId: number): JsonValue => ({
    Sequence: { id, type_id: typeId },
  });
  const vocabObject: Record<string, JsonValue> = {};
  vocab.forEach((token, id) => {
    if (token in vocabObject) throw new Error(`vocabulary has ${token} twice`);
    vocabObject[token] = id;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(({ id, content }) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [
        special('[CLS]', 0),
        sequence('A', 0),
        special('[SEP]', 0),
        sequence('B', 1),
        special('[SEP]', 1),
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [idOf('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [idOf('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObject,
    },
  };
}

/** `tokenizer_config.json`; transformers.js needs `pad_token` to batch and `model_max_length` to truncate. */
export function bertTokenizerConfig(options: BertTokenizerOptions): JsonValue {
  const addedTokensDecoder: Record<string, JsonValue> = {};
  for (const { id, content } of specialTokens(options.vocab)) {
    addedTokensDecoder[String(id)] = {
      content,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    };
  }
  return {
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: options.modelMaxLength,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
}

/** `special_tokens_map.json`. */
export function bertSpecialTokensMap(): JsonValue {
  return {
    cls_token: '[CLS]',
    mask_token: '[MASK]',
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    unk_token: '[UNK]',
  };
}

/** Writes JSON with two-space indent and a final newline, so files diff cleanly. */
export function writeJson(path: string, value: JsonValue): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json` and `vocab.txt`
 * (for Python's slow `BertTokenizer`) into `dir`.
 */
export function writeBertTokenizerFiles(dir: string, options: BertTokenizerOptions): void {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'tokenizer.json'), bertTokenizerJson(options));
  writeJson(join(dir, 'tokenizer_config.json'), bertTokenizerConfig(options));
  writeJson(join(dir, 'special_tokens_map.json'), bertSpecialTokensMap());
  writeFileSync(join(dir, 'vocab.txt'), `${options.vocab.join('\n')}\n`);
}
