import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeModelVersion } from './model-files';

const SPAM_EN = fileURLToPath(new URL('../../../../models/spam-en', import.meta.url));

describe(computeModelVersion.name, () => {
  it('changes with any file that can change predictions, not with the model card', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sift-version-'));
    try {
      cpSync(SPAM_EN, dir, { recursive: true });
      const original = await computeModelVersion(dir);
      expect(original).toMatch(/^[0-9a-f]{12}$/);
      expect(await computeModelVersion(SPAM_EN)).toBe(original);

      writeFileSync(join(dir, 'README.md'), '# edited model card\n');
      expect(await computeModelVersion(dir)).toBe(original);

      appendFileSync(join(dir, 'config.json'), '\n');
      expect(await computeModelVersion(dir)).not.toBe(original);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
