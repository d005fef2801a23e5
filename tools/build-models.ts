import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { BuildStep } from './build-step';
import { langIdBuildStep } from './fasttext/lang-id.build-step';
import { spamEnBuildStep } from './spam/spam-en.build-step';

/** Add a model by adding its step here. */
const STEPS: readonly BuildStep[] = [spamEnBuildStep, langIdBuildStep];

async function main(): Promise<void> {
  const rootDir = fileURLToPath(new URL('..', import.meta.url));
  const only = process.argv.slice(2);
  for (const step of STEPS) {
    if (only.length > 0 && !only.includes(step.name)) continue;
    const started = performance.now();
    const log = (message: string): void => console.log(`[${step.name}] ${message}`);
    log('building');
    await step.run({ rootDir, modelsDir: join(rootDir, 'models'), log });
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
