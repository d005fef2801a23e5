import { appendFileSync, copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeModelVersion, findGraphFile } from './model-files';

const SPAM_EN = fileURLToPath(new URL('../../../../models/spam-en', import.meta.url));

/** A copy of spam-en (without any quantized graph), removed after `body`. */
async function withModelCopy(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sift-version-'));
  try {
    cpSync(SPAM_EN, dir, {
      recursive: true,
      filter: (path) => !path.endsWith('model_quantized.onnx'),
    });
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(computeModelVersion.name, () => {
  it('changes with any file that can change predictions, not with the model card', () =>
    withModelCopy(async (dir) => {
      const graph = join(dir, 'onnx', 'model.onnx');
      const original = await computeModelVersion(dir, graph);
      expect(original).toMatch(/^[0-9a-f]{12}$/);
      expect(await computeModelVersion(SPAM_EN, join(SPAM_EN, 'onnx', 'model.onnx'))).toBe(
        original,
      );

      writeFileSync(join(dir, 'README.md'), '# edited model card\n');
      expect(await computeModelVersion(dir, graph)).toBe(original);

      appendFileSync(join(dir, 'config.json'), '\n');
      expect(await computeModelVersion(dir, graph)).not.toBe(original);
    }));

  it('covers the graph served, not the other variants beside it', () =>
    withModelCopy(async (dir) => {
      const float = join(dir, 'onnx', 'model.onnx');
      const before = await computeModelVersion(dir, float);
      const quantized = join(dir, 'onnx', 'model_quantized.onnx');
      copyFileSync(float, quantized);
      appendFileSync(quantized, Buffer.from([0]));

      expect(await computeModelVersion(dir, float)).toBe(before);
      expect(await computeModelVersion(dir, quantized)).not.toBe(before);
    }));
});

describe(findGraphFile.name, () => {
  it('finds each dtype at the top level or under onnx/', () =>
    withModelCopy(async (dir) => {
      expect(findGraphFile(dir)).toBe(join(dir, 'onnx', 'model.onnx'));
      expect(findGraphFile(dir, 'q8')).toBeUndefined();
      writeFileSync(join(dir, 'model_quantized.onnx'), '');
      expect(findGraphFile(dir, 'q8')).toBe(join(dir, 'model_quantized.onnx'));
      await Promise.resolve();
    }));
});
