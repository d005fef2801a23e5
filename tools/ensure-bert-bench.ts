import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBertBenchModel, BERT_BENCH_DIR } from './bert-bench/bert-bench.builder';
import { linkCombinedModels, SHIPPED_MODELS_DIR } from './common/model-dirs';

// Used by Jest's global setup: builds bert-bench only when it is missing or stale, outside
// ./models, and links it beside the shipped models for tests that serve both.
if (ensureBertBenchModel()) console.log(`bert-bench: built ${BERT_BENCH_DIR}`);
removeStaleGeneratedModels();
linkCombinedModels();

/**
 * Older checkouts generated bench models inside ./models, where `npm start` then served them.
 * Only folders whose config.json carries the generator's `sift_bench_options` are removed.
 */
function removeStaleGeneratedModels(): void {
  for (const name of readdirSync(SHIPPED_MODELS_DIR)) {
    const config = join(SHIPPED_MODELS_DIR, name, 'config.json');
    if (!name.startsWith('bert-bench') || !existsSync(config)) continue;
    if (!readFileSync(config, 'utf8').includes('"sift_bench_options"')) continue;
    rmSync(join(SHIPPED_MODELS_DIR, name), { recursive: true, force: true });
    console.log(`bert-bench: removed ${name} from ./models (generated models now live outside it)`);
  }
}
