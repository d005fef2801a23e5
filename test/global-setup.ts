import { ensureBertBenchModel } from '../tools/bert-bench/bert-bench.builder';

/** Jest global setup: a fresh clone has no bench model (it is git-ignored), so build it once here. */
export default async function globalSetup(): Promise<void> {
  ensureBertBenchModel();
}
