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
  }
}

module.exports = OnnxRuntimeEnvironment;
