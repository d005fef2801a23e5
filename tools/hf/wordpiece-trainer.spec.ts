import { Tokenizer } from '@huggingface/tokenizers';

import { BERT_SPECIAL_TOKENS, bertTokenizerConfig, bertTokenizerJson } from './tokenizer-files';
import { countWords, createBertWordSplitter, trainWordPiece } from './wordpiece-trainer';

const TEXTS = [
  'Running runners run. Unrunnable!',
  'The runner runs; RUNNING is fun.',
  'Fun runs, funny runners.',
];

function train(vocabSize: number): string[] {
  return trainWordPiece(countWords(TEXTS, createBertWordSplitter()), {
    vocabSize,
    specialTokens: BERT_SPECIAL_TOKENS,
    minFrequency: 2,
    limitAlphabet: 100,
  });
}

describe(trainWordPiece.name, () => {
  it('puts the special tokens first, then characters in both forms, then merged pieces', () => {
    const vocab = train(60);

    expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(vocab).toEqual(expect.arrayContaining(['r', '##r', 'run', '##s']));
    expect(new Set(vocab).size).toBe(vocab.length);
    expect(vocab.length).toBeLessThanOrEqual(60);
  });

  it('is deterministic', () => {
    expect(train(60)).toEqual(train(60));
  });

  it('writes a tokenizer.json that the Hugging Face tokenizer runs as uncased BERT WordPiece', () => {
    const vocab = train(60);
    const files = { vocab, modelMaxLength: 16 };
    const tokenizer = new Tokenizer(
      bertTokenizerJson(files) as object,
      bertTokenizerConfig(files) as object,
    );

    const encoded = tokenizer.encode('RUNNERS run!', { return_token_type_ids: true });

    expect(encoded.tokens[0]).toBe('[CLS]');
    expect(encoded.tokens[encoded.tokens.length - 1]).toBe('[SEP]');
    expect(encoded.tokens.slice(1, -1).join(' ').replace(/ ##/g, '')).toBe('runners run !');
    expect(encoded.ids[0]).toBe(vocab.indexOf('[CLS]'));
    expect(encoded.token_type_ids.every((t) => t === 0)).toBe(true);
    expect(tokenizer.encode('zzz').tokens).toEqual(['[CLS]', '[UNK]', '[SEP]']);
  });
});
