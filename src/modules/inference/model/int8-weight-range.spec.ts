import { onnx } from 'onnx-proto';

import { GraphBuilder } from '../../../../tools/onnx/graph-builder';
import { quantizeModel } from '../../../../tools/onnx/quantize/quantize-model';
import { SeededRandom } from '../../../../tools/common/seeded-random';
import { fullRangeInt8Weights, saturationWarning } from './int8-weight-range';

function quantizedDense(weightFormat: 'int7' | 'int8' | 'uint8'): onnx.IGraphProto {
  const g = new GraphBuilder();
  g.input('x', 'float32', ['batch', 16]);
  g.initializerFloat32('w', new SeededRandom(3).normalArray(16 * 4, 0.1), [16, 4]);
  g.node('MatMul', ['x', 'w'], ['y'], {}, { name: 'dense' });
  g.output('y', 'float32', ['batch', 4]);
  const { bytes } = quantizeModel(g.toBytes(), { weightFormat });
  return onnx.ModelProto.decode(bytes).graph ?? {};
}

describe(fullRangeInt8Weights.name, () => {
  it('lists full-range int8 weights of integer products', () => {
    expect(fullRangeInt8Weights(quantizedDense('int8'))).toEqual(['w_quantized']);
  });

  it.each(['int7', 'uint8'] as const)('lists none for %s weights, which never saturate', (f) => {
    expect(fullRangeInt8Weights(quantizedDense(f))).toEqual([]);
  });

  it('ignores float graphs and Gather tables', () => {
    const g = new GraphBuilder();
    g.input('ids', 'int64', ['batch']);
    g.initializerFloat32('table', new SeededRandom(4).normalArray(40, 1), [10, 4]);
    g.node('Gather', ['table', 'ids'], ['rows'], {}, { name: 'embed' });
    g.output('rows', 'float32', ['batch', 4]);
    const { bytes } = quantizeModel(g.toBytes());

    expect(fullRangeInt8Weights(onnx.ModelProto.decode(bytes).graph ?? {})).toEqual([]);
  });
});

describe(saturationWarning.name, () => {
  it('warns once, naming the model, the weights and the fix, on a CPU that saturates', () => {
    const warning = saturationWarning('spam-en@q8', ['a', 'b', 'c', 'd'], true);

    expect(warning).toMatch(/^spam-en@q8: 4 int8 weight tensor\(s\) use the full ±127 range/);
    expect(warning).toContain('(a, b, c, …)');
    expect(warning).toContain('npm run quantize -- <model dir>');
  });

  it.each([
    ['a CPU with VNNI', ['w'], false],
    ['an unknown CPU', ['w'], undefined],
    ['7-bit weights', [], true],
  ] as const)('stays silent for %s', (_title, weights, saturates) => {
    expect(saturationWarning('m', weights, saturates)).toBeUndefined();
  });
});
