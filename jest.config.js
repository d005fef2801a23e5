/**
 * NestJS 12 ships ES modules only, and Jest can load those only in its native ESM mode
 * (`node --experimental-vm-modules`), so tests are compiled to ESM while the app build stays
 * CommonJS (Node 20 loads the ESM packages through require(esm)). Test code therefore uses
 * `import.meta` rather than `__dirname`, and imports `jest` from '@jest/globals'.
 * Unit specs live beside the code, cross-module e2e specs under test/.
 */
const vmModulesEnabled = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
  arg.includes('--experimental-vm-modules'),
);
if (!vmModulesEnabled) {
  throw new Error(
    'Run the tests with `npm test -- <paths>`: Jest needs `node --experimental-vm-modules` ' +
      'to load the NestJS 12 ES modules (see jest.config.js).',
  );
}

module.exports = {
  moduleFileExtensions: ['js', 'mjs', 'json', 'ts'],
  rootDir: '.',
  testRegex: '(src|test|tools|bench)/.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  // Shares the host's typed-array constructors with onnxruntime-node (see the file's note).
  testEnvironment: '<rootDir>/tools/onnx/onnxruntime.environment.js',
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  // See test/jest/esm-shims.ts: ESM-only packages required from CommonJS dependencies.
  moduleNameMapper: {
    '^cookie$': '<rootDir>/node_modules/.cache/sift-jest-shims/cookie.cjs',
    '^content-disposition$': '<rootDir>/node_modules/.cache/sift-jest-shims/content-disposition.cjs',
    // See tools/onnx/onnxruntime.environment.js: one ONNX Runtime per Jest process.
    '^onnxruntime-node$': '<rootDir>/tools/onnx/onnxruntime-host.cjs',
  },
};
