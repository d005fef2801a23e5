import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { asObject } from './support/plain-data';
import { readRepoFile, readYaml, repoPath } from './support/repo-files';

/** Application sources that `nest build` compiles into dist/ (specs are excluded there too). */
function appSources(): string[] {
  return readdirSync(repoPath('src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('.d.ts'))
    .map((file) => join('src', file))
    .sort();
}

/**
 * The packages a compiled file loads at run time. Compiling with the build's module settings
 * drops type-only imports exactly as `nest build` does, so only real `require`s remain.
 */
function runtimePackages(file: string): string[] {
  const { outputText } = ts.transpileModule(readRepoFile(file), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2023,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
    fileName: file,
  });
  return [...outputText.matchAll(/\brequire\("([^"./][^"]*)"\)/g)]
    .map((match) => match[1])
    .filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

describe('Production dependencies', () => {
  const manifest = asObject(readYaml('package.json'), 'package.json');
  const dependencies = new Set(Object.keys(asObject(manifest.dependencies, 'dependencies')));

  it('declare every package the compiled app loads, since images and Lambda install only those', () => {
    const undeclared = appSources().flatMap((file) =>
      runtimePackages(file)
        .filter((name) => !dependencies.has(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(undeclared).toEqual([]);
  });
});
