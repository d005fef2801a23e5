import { readdirSync } from 'node:fs';
import { loadConfig } from '../../src/config/load-config';
import { ROUTES, unknownVariables } from './support/app-contract';
import { asArray, asNumber, asObject, asString, at } from './support/plain-data';
import { readRepoFile, readYaml, repoFileExists, repoPath } from './support/repo-files';

const serverless = asObject(readYaml('serverless.yml'), 'serverless.yml');
const provider = asObject(serverless.provider, 'provider');
const functions = Object.values(asObject(serverless.functions, 'functions')).map((fn) =>
  asObject(fn, 'function'),
);
const environment = Object.fromEntries(
  Object.entries(asObject(provider.environment, 'environment')).map(([key, value]) => [
    key,
    asString(value, key),
  ]),
);
const patterns = asArray(at(serverless, 'package.patterns'), 'package.patterns').map((pattern) =>
  asString(pattern, 'pattern'),
);
const ORT_BINARIES = 'node_modules/onnxruntime-node/bin/napi-v6';

describe('serverless.yml', () => {
  it('deploys to AWS on the Node.js 20 runtime with 3008 MB and a 30 s timeout', () => {
    expect(provider.name).toBe('aws');
    expect(provider.runtime).toBe('nodejs20.x');
    expect(provider.memorySize).toBe(3008);
    expect(provider.timeout).toBe(30);
  });

  it('points the handler at the compiled src/lambda.ts export', () => {
    expect(functions).toHaveLength(1);
    const [file, exported] = asString(functions[0].handler, 'handler').split('.');
    expect(file).toBe('dist/lambda');
    expect(repoFileExists('src/lambda.ts')).toBe(true);
    expect(readRepoFile('src/lambda.ts')).toMatch(new RegExp(`^export const ${exported}\\b`, 'm'));
    const build = asObject(readYaml('tsconfig.build.json'), 'tsconfig.build.json');
    expect(at(build, 'compilerOptions.rootDir')).toBe('./src');
    expect(at(build, 'compilerOptions.outDir')).toBe('./dist');
  });

  it('routes POST /classify, POST /classify/batch and GET /health to it', () => {
    const events = asArray(functions[0].events, 'events').map((event) => [
      `/${asString(at(event, 'http.path'), 'path')}`,
      asString(at(event, 'http.method'), 'method').toUpperCase(),
    ]);
    expect(events).toEqual([
      [ROUTES.classify, 'POST'],
      [ROUTES.classifyBatch, 'POST'],
      [ROUTES.liveness, 'GET'],
    ]);
  });

  it('sets only variables the app reads, with values its schema accepts', () => {
    expect(unknownVariables(Object.keys(environment))).toEqual([]);
    const literal = Object.fromEntries(
      Object.entries(environment).filter(([, value]) => !value.includes('${')),
    );
    const config = loadConfig(literal);
    expect(config.REQUEST_TIMEOUT_MS).toBeLessThan(asNumber(provider.timeout, 'timeout') * 1000);
  });

  it('bundles the compiled app and the models it loads from MODELS_DIR', () => {
    expect(patterns).toEqual(
      expect.arrayContaining(['dist/**', 'models/**', '!models/bert-bench*/**', 'node_modules/**']),
    );
    expect(environment.MODELS_DIR).toBe('/var/task/models');
  });

  it("leaves out every onnxruntime-node binary but linux/x64's", () => {
    const platforms = readdirSync(repoPath(ORT_BINARIES)).flatMap((os) =>
      readdirSync(repoPath(ORT_BINARIES, os)).map((arch) => `${os}/${arch}`),
    );
    expect(platforms).toContain('linux/x64');
    const excluded = (platform: string): boolean =>
      patterns.some(
        (pattern) =>
          pattern === `!${ORT_BINARIES}/${platform}/**` ||
          pattern === `!${ORT_BINARIES}/${platform.split('/')[0]}/**`,
      );
    for (const platform of platforms) {
      expect({ platform, excluded: excluded(platform) }).toEqual({
        platform,
        excluded: platform !== 'linux/x64',
      });
    }
    expect(provider.architecture).toBe('x86_64');
  });
});
