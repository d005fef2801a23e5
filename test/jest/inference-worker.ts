import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * The inference worker thread needs a compiled entry point, and Jest runs the app from
 * TypeScript sources. The global setup transpiles the inference module to CommonJS once per
 * run (as `nest build` would) and points INFERENCE_WORKER_SCRIPT at the result.
 */
const SOURCE_DIR = join(process.cwd(), 'src', 'modules', 'inference');
const OUTPUT_DIR = join(process.cwd(), 'node_modules', '.cache', 'sift-jest-worker');

export const INFERENCE_WORKER_SCRIPT = join(OUTPUT_DIR, 'runtime', 'onnx-worker.js');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

export function buildInferenceWorker(): string {
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  for (const file of sourceFiles(SOURCE_DIR)) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
      fileName: file,
    });
    const output = join(OUTPUT_DIR, relative(SOURCE_DIR, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, outputText);
  }
  return INFERENCE_WORKER_SCRIPT;
}
