import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** One fastText prediction: labels (prefix stripped) with probabilities, most likely first. */
export type FastTextPrediction = readonly {
  readonly label: string;
  readonly probability: number;
}[];

/**
 * fasttext.wasm.js is an ES module whose loader uses `import()` of its Emscripten
 * module and reads its wasm relative to `import.meta.url`, which Jest's module sandbox does not
 * host reliably; a plain Node child process runs it exactly as an application would.
 * `predict(text, -1, 0)` returns every label above fastText's own floor (log p > log 1e-5).
 */
const SCRIPT = `
import { getLIDModel } from 'fasttext.wasm.js';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const model = await (await getLIDModel()).load();
const out = texts.map((text) => {
  const vector = model.predict(text, -1, 0);
  const rows = [];
  for (let i = 0; i < vector.size(); i++) {
    const [probability, label] = vector.get(i);
    rows.push({ label: label.replace('__label__', ''), probability });
  }
  vector.delete();
  return rows;
});
process.stdout.write(JSON.stringify(out));
`;

/** Runs fastText (compiled to WebAssembly) on `texts` with the bundled lid.176 model. */
export function predictWithFastTextWasm(texts: readonly string[]): Promise<FastTextPrediction[]> {
  // Resolve the package from this repository, whatever the caller's working directory.
  const cwd = dirname(createRequire(import.meta.url).resolve('fasttext.wasm.js/package.json'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(
            `fasttext.wasm.js reference exited with ${code}: ${Buffer.concat(err).toString('utf8')}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as FastTextPrediction[]);
    });
    child.stdin.end(JSON.stringify(texts));
  });
}
