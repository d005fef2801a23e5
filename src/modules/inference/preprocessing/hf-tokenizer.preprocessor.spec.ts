import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HfTokenizerPreprocessor } from './hf-tokenizer.preprocessor';
import { loadTokenizersBinding } from './native-tokenizers';

const SPAM_EN = fileURLToPath(new URL('../../../../models/spam-en', import.meta.url));

/** A copy of spam-en whose tokenizer.json or tokenizer_config.json `edit` rewrites. */
function editedCopy(file: string, edit: (json: Record<string, unknown>) => unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sift-tokenizer-'));
  cpSync(SPAM_EN, dir, { recursive: true });
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify(edit(json)));
  return dir;
}

describe(HfTokenizerPreprocessor.name, () => {
  const idsOf = async (sut: HfTokenizerPreprocessor, text: string) => (await sut.encode(text)).ids;
  const dirs: string[] = [];
  const copy = (file: string, edit: (json: Record<string, unknown>) => unknown) => {
    const dir = editedCopy(file, edit);
    dirs.push(dir);
    return dir;
  };

  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('wraps the text in the special tokens its post-processor adds', async () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 512);
    const ids = await idsOf(sut, 'free money');
    expect(ids.length).toBeGreaterThanOrEqual(4);
    const [cls, sep] = await idsOf(sut, '');
    expect(ids[0]).toBe(cls);
    expect(ids[ids.length - 1]).toBe(sep);
    expect((await sut.encode('free money')).truncated).toBe(false);
  });

  it('cuts the content, not the special tokens, like Hugging Face truncation=True', async () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 8);
    const [cls, sep] = await idsOf(sut, '');
    const text = 'one two three four five six seven eight nine ten eleven';
    const encoded = await sut.encode(text);
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids).toHaveLength(8);
    expect(encoded.ids[0]).toBe(cls);
    expect(encoded.ids[7]).toBe(sep);
    const untruncated = await HfTokenizerPreprocessor.load(SPAM_EN, 512).encode(text);
    expect(encoded.ids.slice(0, 7)).toEqual(untruncated.ids.slice(0, 7));
  });

  it("cuts from the left when tokenizer_config.json's truncation_side says so", async () => {
    const dir = copy('tokenizer_config.json', (json) => ({ ...json, truncation_side: 'left' }));
    const text = 'one two three four five six seven eight nine ten eleven';
    const full = await HfTokenizerPreprocessor.load(SPAM_EN, 512).encode(text);
    const left = await HfTokenizerPreprocessor.load(dir, 8).encode(text);
    expect(left.ids.slice(1, 7)).toEqual(full.ids.slice(-7, -1));
  });

  it('gives each character beyond the Basic Multilingual Plane its own word', async () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 512);
    // BERT's normalizer spaces out CJK Extension B characters: three [UNK], not one.
    const ids = await idsOf(sut, '𠀀𠀁𠂉');
    expect(ids).toHaveLength(5);
  });

  it('marks the second text of a pair with token type 1 after the first [SEP]', async () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 512);
    const pair = await sut.encode('free money', 'call now');
    const [first, second] = [await idsOf(sut, 'free money'), await idsOf(sut, 'call now')];
    expect(pair.ids).toEqual([...first, ...second.slice(1)]);
    expect(pair.typeStart).toBe(first.length);
  });

  it('joins a pair as a tokenizer without a post-processor does', async () => {
    const dir = copy('tokenizer.json', (json) => ({ ...json, post_processor: null }));
    const sut = HfTokenizerPreprocessor.load(dir, 512);
    expect(sut.supportsPairs).toBe(true);
    const pair = await sut.encode('free money', 'call now');
    const [first, second] = [await idsOf(sut, 'free money'), await idsOf(sut, 'call now')];
    expect(pair).toEqual({ ids: [...first, ...second], truncated: false, typeStart: first.length });
  });

  it('gives a RoBERTa pair token type 0 throughout, as RobertaProcessing does', async () => {
    const dir = copy('tokenizer.json', (json) => ({
      ...json,
      // As RoBERTa's tokenizer.json has it: without the last two fields the crate reads BERT's.
      post_processor: {
        type: 'RobertaProcessing',
        sep: ['[SEP]', 3],
        cls: ['[CLS]', 2],
        trim_offsets: true,
        add_prefix_space: true,
      },
    }));
    const pair = await HfTokenizerPreprocessor.load(dir, 512).encode('free money', 'call now');
    expect(pair.typeStart).toBeUndefined();
  });

  it('lists tokens with code-point offsets, also beyond the Basic Multilingual Plane', async () => {
    const sut = HfTokenizerPreprocessor.load(SPAM_EN, 512);
    const tokens = await sut.tokenize('😀 Free', true);
    expect(tokens[0]).toMatchObject({ special: true, start: null, stop: null });
    expect(tokens.filter((token) => !token.special).at(-1)).toMatchObject({
      text: 'Free',
      start: 2,
      stop: 6,
    });
  });

  it('pads with the [PAD] id from tokenizer_config.json', () => {
    expect(HfTokenizerPreprocessor.load(SPAM_EN, 512).padId).toBe(0);
  });

  it('takes the pad token tokenizer_config.json names, as a string or an added token', async () => {
    const sepId = (await idsOf(HfTokenizerPreprocessor.load(SPAM_EN, 512), 'x')).at(-1);
    expect(sepId).not.toBe(0);
    const named = copy('tokenizer_config.json', (json) => ({ ...json, pad_token: '[SEP]' }));
    expect(HfTokenizerPreprocessor.load(named, 512).padId).toBe(sepId);
    const added = copy('tokenizer_config.json', (json) => ({
      ...json,
      pad_token: { __type: 'AddedToken', content: '[SEP]' },
    }));
    expect(HfTokenizerPreprocessor.load(added, 512).padId).toBe(sepId);
  });

  it('names the folder and file when tokenizer.json is missing', () => {
    const missing = join(SPAM_EN, 'no-such-model');
    expect(() => HfTokenizerPreprocessor.load(missing, 512)).toThrow(
      `Cannot load model from ${missing}: tokenizer.json: file is missing`,
    );
  });

  it('says which platform lacks the native binary when the binding cannot load', () => {
    expect(() => loadTokenizersBinding('@anush008/tokenizers-no-such-platform')).toThrow(
      `native tokenizers binding (@anush008/tokenizers-no-such-platform) has no binary for ${process.platform}-${process.arch}`,
    );
  });
});
