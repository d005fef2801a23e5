/**
 * Jest's node environment runs each test file in its own realm, but onnxruntime-node's native
 * binding creates output typed arrays in the host realm; onnxruntime-common's `instanceof`
 * checks then fail ("A float32 tensor's data must be type of function Float32Array()").
 * Sharing the host's typed-array constructors with the test realm makes both agree.
 * Use per file with a `@jest-environment ./tools/onnx/onnxruntime.environment.js` docblock,
 * or for the whole project as `testEnvironment` in jest.config.js.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED_CONSTRUCTORS = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED_CONSTRUCTORS) {
      if (name in globalThis) this.global[name] = globalThis[name];
    }
    // Loaded by the host, once per process: Node keeps one native binding per process, and
    // onnxruntime-node 1.29 aborts the process ("Assertion failed: (insertion_info.second) ==
    // (true)" in InitOrtOnce) when a second test file's module registry initialises it again.
    // jest.config.js maps 'onnxruntime-node' to onnxruntime-host.cjs, which re-exports this.
    this.global.__siftOnnxRuntime = require('onnxruntime-node');
  }
}

module.exports = OnnxRuntimeEnvironment;
