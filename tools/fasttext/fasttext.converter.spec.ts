import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLangIdModel } from './lang-id.converter';

const COMMITTED = fileURLToPath(new URL('../../models/lang-id', import.meta.url));

describe(buildLangIdModel.name, () => {
  let modelsDir: string;

  beforeAll(() => {
    modelsDir = mkdtempSync(join(tmpdir(), 'sift-lang-id-'));
    buildLangIdModel(modelsDir);
  });

  afterAll(() => {
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it.each(['onnx/model.onnx', 'fasttext_vocab.json', 'config.json', 'sift.json'])(
    'reproduces the committed %s byte for byte',
    (file) => {
      expect(
        readFileSync(join(modelsDir, 'lang-id', file)).equals(readFileSync(join(COMMITTED, file))),
      ).toBe(true);
    },
  );

  it('writes 176 language codes without the __label__ prefix and the Sift settings', () => {
    const config = JSON.parse(readFileSync(join(modelsDir, 'lang-id', 'config.json'), 'utf8')) as {
      id2label: Record<string, string>;
      label2id: Record<string, number>;
      problem_type: string;
      sift: Record<string, string>;
    };
    const labels = Object.values(config.id2label);
    expect(labels).toHaveLength(176);
    expect(labels.slice(0, 3)).toEqual(['en', 'ru', 'de']);
    expect(labels.filter((l) => l.startsWith('__'))).toEqual([]);
    expect(config.label2id.fr).toBe(labels.indexOf('fr'));
    expect(config.problem_type).toBe('single_label_classification');
    expect(config.sift).toEqual({
      preprocessor: 'fasttext',
      vocab_file: 'fasttext_vocab.json',
      activation: 'exp',
    });
    const serving = JSON.parse(readFileSync(join(modelsDir, 'lang-id', 'sift.json'), 'utf8'));
    expect(serving).toEqual({ max_sequence_length: 65536 });
  });
});
