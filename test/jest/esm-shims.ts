import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * CommonJS packages that `require()` an ESM-only dependency cannot load inside Jest on
 * Node 20 (Jest has no require(esm) before Node 24.9), although plain Node loads them.
 * Fastify's `inject` (light-my-request) requires `cookie`, which is ESM-only since v2, and
 * @fastify/static (Swagger UI's assets) requires `content-disposition`, ESM-only since v3. We
 * transpile the installed copy to CommonJS once per run; jest.config.js maps the import to it.
 */
export const SHIM_DIR = join(process.cwd(), 'node_modules', '.cache', 'sift-jest-shims');

const ESM_ONLY_DEPENDENCIES = ['cookie', 'content-disposition'];

export function writeEsmShims(): void {
  mkdirSync(SHIM_DIR, { recursive: true });
  for (const name of ESM_ONLY_DEPENDENCIES) {
    // The package's own `exports` hides package.json, so read the hoisted copy directly.
    const packageDir = join(process.cwd(), 'node_modules', name);
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      main?: string;
      exports?: unknown;
    };
    const exported = typeof manifest.exports === 'string' ? manifest.exports : undefined;
    const entry = join(packageDir, exported ?? manifest.main ?? 'index.js');
    const { outputText } = ts.transpileModule(readFileSync(entry, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(SHIM_DIR, `${name}.cjs`), outputText);
  }
}
