import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { SpamEvaluation } from './spam-en.evaluation';
import { spamEnModelCard } from './spam-en.model-card';

/** What the build writes to `eval_results.json` (see spam-en.build-step.ts). */
interface EvalResults extends SpamEvaluation {
  readonly train_messages: number;
  readonly background_sentences: number;
  readonly crops: SpamEvaluation;
  readonly words: SpamEvaluation;
  readonly background: SpamEvaluation;
}

/**
 * Rewrites `models/spam-en/README.md` from the built model's `eval_results.json` and `config.json`,
 * with the card generator as it is now: for a change to the card's quoted text, which must not
 * cost a retraining. The build writes the same card from the same facts.
 *
 * Usage: `tsx tools/spam/spam-en.write-card.ts`
 */
function main(): void {
  const dir = fileURLToPath(new URL('../../models/spam-en', import.meta.url));
  const results = JSON.parse(readFileSync(join(dir, 'eval_results.json'), 'utf8')) as EvalResults;
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    readonly vocab_size: number;
  };
  writeFileSync(
    join(dir, 'README.md'),
    spamEnModelCard({
      metrics: results,
      crops: results.crops,
      words: results.words,
      background: results.background,
      trainSize: results.train_messages,
      backgroundSize: results.background_sentences,
      vocabSize: config.vocab_size,
    }),
  );
}

main();
