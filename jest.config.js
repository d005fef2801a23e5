/** Unit specs live beside the code, cross-module e2e specs under test/. */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '(src|test|tools|bench)/.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Shares the host's typed-array constructors with onnxruntime-node (see the file's note).
  testEnvironment: '<rootDir>/tools/onnx/onnxruntime.environment.js',
  testTimeout: 60000,
};
