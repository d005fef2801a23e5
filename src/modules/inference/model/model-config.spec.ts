import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelConfig } from './model-config';

/** A model folder holding only `config.json`, removed after `body`. */
function withConfig(config: Record<string, unknown>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sift-model-config-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const twoLabels = { id2label: { 0: 'ham', 1: 'spam' } };
const oneLogit = { id2label: { 0: 'LABEL_0' } };

describe(readModelConfig.name, () => {
  it('applies a softmax to a single-label model with several labels', () => {
    withConfig(twoLabels, (dir) => expect(readModelConfig(dir).activation).toBe('softmax'));
  });

  it('applies a sigmoid to a multi-label model', () => {
    withConfig({ ...twoLabels, problem_type: 'multi_label_classification' }, (dir) =>
      expect(readModelConfig(dir).activation).toBe('sigmoid'),
    );
  });

  it('applies a sigmoid to a one-logit model, whose softmax would always be 1', () => {
    withConfig(oneLogit, (dir) => expect(readModelConfig(dir).activation).toBe('sigmoid'));
    withConfig({ ...oneLogit, problem_type: 'single_label_classification' }, (dir) =>
      expect(readModelConfig(dir).activation).toBe('sigmoid'),
    );
  });

  it('keeps the activation sift.activation names, one logit or not', () => {
    withConfig({ ...oneLogit, sift: { activation: 'none' } }, (dir) =>
      expect(readModelConfig(dir).activation).toBe('none'),
    );
  });
});
