import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';

import { GraphBuilder, OnnxAttr } from './graph-builder';

describe(GraphBuilder.name, () => {
  it('writes a model onnxruntime runs, with symbolic dims, initializers and attributes', async () => {
    const g = new GraphBuilder({ name: 'tiny' });
    g.input('ids', 'int64', ['batch', 'sequence']);
    g.initializerFloat32('table', [0, 1, 2, 3, 4, 5], [3, 2]);
    const gathered = g.op('Gather', ['table', 'ids']);
    const summed = g.op('ReduceSum', [gathered, g.constInt64([1])], { keepdims: 0 });
    const scaled = g.op('Mul', [summed, g.constFloat32([0.5])]);
    g.node('Gemm', [scaled, g.constFloat32([1, 0, 0, 1], [2, 2])], ['out'], {
      alpha: OnnxAttr.float(2),
    });
    g.output('out', 'float32', ['batch', 2]);

    const session = await InferenceSession.create(g.toBytes());
    const ids = new Tensor('int64', BigInt64Array.from([0n, 2n, 1n, 1n]), [2, 2]);
    const { out } = await session.run({ ids });

    // row 0: (0,1)+(4,5)=(4,6) → ×0.5 ×2 = (4,6); row 1: (2,3)+(2,3) = (4,6)
    expect(Array.from(out.data as Float32Array)).toEqual([4, 6, 4, 6]);
    expect(out.dims).toEqual([2, 2]);
  });

  it('declares opset 17 and IR version 8 by default', () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', ['n']);
    g.node('Identity', ['x'], ['y']);
    g.output('y', 'float32', ['n']);

    const decoded = onnx.ModelProto.decode(g.toBytes());

    expect(Number(decoded.irVersion)).toBe(8);
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(decoded.graph?.input?.[0].type?.tensorType?.shape?.dim?.[0].dimParam).toBe('n');
  });

  it('rejects references to tensors that do not exist yet', () => {
    const g = new GraphBuilder();
    expect(() => g.op('Relu', ['missing'])).toThrow(/unknown tensor missing/);
  });

  it('rejects an initializer whose length does not match its dims', () => {
    const g = new GraphBuilder();
    expect(() => g.initializerFloat32('w', [1, 2, 3], [2, 2])).toThrow(
      /3 values but dims \[2, 2\]/,
    );
  });
});
