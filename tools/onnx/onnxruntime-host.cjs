// onnxruntime-node as loaded once by the host process (see onnxruntime.environment.js), so
// every test file in a Jest process shares one ONNX Runtime, as a production process does.
// Each export is named on its own line for cjs-module-lexer, which gives ES-module importers
// only the names it can see statically.
const ort = globalThis.__siftOnnxRuntime;
exports.listSupportedBackends = ort.listSupportedBackends;
exports.registerBackend = ort.registerBackend;
exports.env = ort.env;
exports.InferenceSession = ort.InferenceSession;
exports.Tensor = ort.Tensor;
exports.TRACE = ort.TRACE;
exports.TRACE_FUNC_BEGIN = ort.TRACE_FUNC_BEGIN;
exports.TRACE_FUNC_END = ort.TRACE_FUNC_END;
exports.TRACE_EVENT_BEGIN = ort.TRACE_EVENT_BEGIN;
exports.TRACE_EVENT_END = ort.TRACE_EVENT_END;
