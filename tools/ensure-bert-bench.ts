import { ensureBertBenchModel } from './bert-bench/bert-bench.builder';

// Builds models/bert-bench only when it is missing or stale (used by Jest's global setup).
if (ensureBertBenchModel()) console.log('bert-bench: built models/bert-bench');
