import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HfTokenizerPreprocessor } from './hf-tokenizer.preprocessor';

const SPAM_EN = fileURLToPath(new URL('../../../../models/spam-en', import.meta.url));

describe(HfTokenizerPreprocessor.name, () => {
  const idsOf = (sut: HfTokenizerPreprocessor, text: string) => sut.encode(text).ids;

  it('wraps the text in the special tokens its post-processor adds', () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 512);
    const ids = idsOf(sut, 'free money');
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const [cls, sep] = idsOf(sut, '');
    expect(ids[0]).toBe(cls);
    expect(ids[ids.length - 1]).toBe(sep);
    expect(sut.encode('free money').truncated).toBe(false);
  });

  it('cuts the content, not the special tokens, like Hugging Face truncation=True', () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 8);
    const [cls, sep] = idsOf(sut, '');
    const encoded = sut.encode('one two three four five six seven eight nine ten eleven');
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids).toHaveLength(8);
    expect(encoded.ids[0]).toBe(cls);
    expect(encoded.ids[7]).toBe(sep);
    const untruncated = HfTokenizerPreprocessor.load(SPAM_EN, 512).encode(
      'one two three four five six seven eight nine ten eleven',
    );
    expect(encoded.ids.slice(0, 7)).toEqual(untruncated.ids.slice(0, 7));
  });

  it('pads with the [PAD] id from tokenizer_config.json', () => {
    expect(HfTokenizerPreprocessor.load(SPAM_EN, 512).padId).toBe(0);
  });

  it('takes the pad token tokenizer_config.json names, not a built-in default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sift-pad-'));
    try {
      cpSync(SPAM_EN, dir, { recursive: true });
      const configFile = join(dir, 'tokenizer_config.json');
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(configFile, JSON.stringify({ ...config, pad_token: '[SEP]' }));
      const sut = HfTokenizerPreprocessor.load(dir, 512);
      const sepId = idsOf(sut, 'x').at(-1);
      expect(sepId).not.toBe(0);
      expect(sut.padId).toBe(sepId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the folder and file when tokenizer.json is missing', () => {
    const missing = join(SPAM_EN, 'no-such-model');
    expect(() => HfTokenizerPreprocessor.load(missing, 512)).toThrow(
      `Cannot load model from ${missing}: tokenizer.json: file is missing`,
    );
  });
});
