import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';

import { SeededRandom } from '../../common/seeded-random';
import { GraphBuilder, OnnxAttr } from '../graph-builder';
import { QuantizeRefusedError, quantizeModel } from './quantize-model';
import { INT7_LIMIT, INT8_LIMIT, transpose, UINT8_ZERO_POINT } from './int8-weights';

const K = 48;
const N = 24;
const ROWS = 5;

async function run(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes);
  const feeds = { x: new Tensor('float32', x, dims) };
  const out = await session.run(feeds);
  await session.release();
  return out[session.outputNames[0]].data as Float32Array;
}

function denseGraph(w: Float32Array, opsetVersion = 17): GraphBuilder {
  const g = new GraphBuilder({ opsetVersion });
  g.input('x', 'float32', ['batch', K]);
  g.initializerFloat32('w', w, [K, N]);
  g.node('MatMul', ['x', 'w'], ['y'], {}, { name: 'dense' });
  g.output('y', 'float32', ['batch', N]);
  return g;
}

/**
 * The bound on |x·w − x̂·ŵ| per output element: each weight is off by at most half its step
 * (s_w/2), each activation by at most one step of DynamicQuantizeLinear's grid (s_x/2 from
 * rounding, and another s_x/2 where the rounded zero point pushes an extreme to saturation).
 * So |Δy| ≤ Σ_k |x_k|·s_w/2 + s_x·(|w_k| + s_w/2), plus float32 rounding slack.
 */
function matMulBound(x: Float32Array, w: Float32Array, scaleOf: (n: number) => number): number[] {
  const sx = (Math.max(0, ...x) - Math.min(0, ...x)) / 255;
  const bound: number[] = [];
  for (let r = 0; r < x.length / K; r++) {
    for (let n = 0; n < N; n++) {
      const sw = scaleOf(n);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        sum += Math.abs(x[r * K + k]) * (sw / 2) + sx * (Math.abs(w[k * N + n]) + sw / 2);
      }
      bound.push(sum + 1e-5);
    }
  }
  return bound;
}

function expectWithin(actual: Float32Array, expected: Float32Array, bound: number[]): void {
  const over = Array.from(actual).filter((v, i) => Math.abs(v - expected[i]) > bound[i]);
  expect(over).toEqual([]);
  // Not trivially equal: the rewrite really changed the arithmetic.
  expect(Array.from(actual)).not.toEqual(Array.from(expected));
}

/** The ops ONNX Runtime runs after its optimizer, read back from `optimizedModelFilePath`. */
async function optimizedOpTypes(bytes: Uint8Array): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sift-quantize-'));
  try {
    const optimized = join(dir, 'optimized.onnx');
    const session = await InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
    });
    await session.release();
    return opTypes(readFileSync(optimized));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stored values of one initializer, as signed weights (uint8 ones shifted back). */
function storedWeights(bytes: Uint8Array, name: string): number[] {
  const tensor = onnx.ModelProto.decode(bytes).graph?.initializer?.find((t) => t.name === name);
  const raw = tensor?.rawData ?? new Uint8Array();
  if (tensor?.dataType === onnx.TensorProto.DataType.UINT8)
    return Array.from(raw, (v) => v - UINT8_ZERO_POINT);
  return Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength));
}

const largest = (values: readonly number[]): number => Math.max(...values.map(Math.abs));

function opTypes(bytes: Uint8Array): string[] {
  return onnx.ModelProto.decode(bytes).graph?.node?.map((n) => n.opType ?? '') ?? [];
}

const maxAbs = (data: Float32Array, from = 0, step = 1): number => {
  let m = 0;
  for (let i = from; i < data.length; i += step) m = Math.max(m, Math.abs(data[i]));
  return m;
};

/** A dense graph edited after encoding, for shapes the builder cannot write. */
function editedDenseGraph(edit: (graph: onnx.IGraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(denseGraph(new Float32Array(K * N)).toBytes());
  if (model.graph) edit(model.graph);
  return onnx.ModelProto.encode(model).finish();
}

describe(quantizeModel.name, () => {
  const random = new SeededRandom(7);
  const x = random.normalArray(ROWS * K, 1);

  it('rewrites MatMul into the integer chain and stays within the derived bound', async () => {
    const w = random.normalArray(K * N, 0.05);
    const float = denseGraph(w).toBytes();

    const result = quantizeModel(float);

    expect(opTypes(result.bytes)).toEqual([
      'DynamicQuantizeLinear',
      'MatMulInteger',
      'Cast',
      'Mul',
      'Mul',
    ]);
    expect(result.quantized).toEqual([{ name: 'dense', opType: 'MatMul', weight: 'w' }]);
    expect(await optimizedOpTypes(result.bytes)).toEqual(['DynamicQuantizeMatMul']);
    // 7-bit weights: a pair of uint8 × int8 products stays inside int16 (2·255·63 ≤ 32,767),
    // so VPMADDUBSW (AVX2, AVX-512 without VNNI) cannot saturate and the bound holds on any CPU.
    expect(largest(storedWeights(result.bytes, 'w_quantized'))).toBe(INT7_LIMIT);
    expect(2 * 255 * INT7_LIMIT).toBeLessThanOrEqual(32767);
    const sw = maxAbs(w) / INT7_LIMIT;
    expectWithin(
      await run(result.bytes, x, [ROWS, K]),
      await run(float, x, [ROWS, K]),
      matMulBound(x, w, () => sw),
    );
  });

  it('gives each output column its own scale with perChannel, within the bound on any CPU', async () => {
    // Column n grows with n, so one shared scale would waste most of the small columns' range.
    // With full-range int8 weights these columns saturated ONNX Runtime's AVX2 kernel (outputs
    // 0.60 and 1.02 off); 7-bit weights keep every host's integers exact.
    const w = random.normalArray(K * N, 0.05).map((v, i) => v * (1 + (i % N)));
    const float = denseGraph(w).toBytes();

    const result = quantizeModel(float, { perChannel: true });

    const scale = onnx.ModelProto.decode(result.bytes).graph?.initializer?.find(
      (t) => t.name === 'w_scale',
    );
    expect(scale?.dims?.map(Number)).toEqual([N]);
    expectWithin(
      await run(result.bytes, x, [ROWS, K]),
      await run(float, x, [ROWS, K]),
      matMulBound(x, w, (n) => maxAbs(w, n, N) / INT7_LIMIT),
    );
  });

  it.each([
    ['int8', ['DynamicQuantizeMatMul']],
    ['uint8', ['DynamicQuantizeMatMul']],
  ] as const)('stores full-range %s weights on request, within the bound', async (format, ops) => {
    // Signs alternate along K, so any two neighbouring products have opposite signs and their
    // sum stays within 255·127: no kernel can saturate, whatever CPU runs this test.
    const w = random
      .normalArray(K * N, 0.05)
      .map((v, i) => Math.abs(v) * (Math.floor(i / N) % 2 === 0 ? 1 : -1));
    const float = denseGraph(w).toBytes();

    const result = quantizeModel(float, { weightFormat: format });

    const type = onnx.ModelProto.decode(result.bytes).graph?.initializer?.find(
      (t) => t.name === 'w_quantized',
    )?.dataType;
    const { INT8, UINT8 } = onnx.TensorProto.DataType;
    expect(type).toBe(format === 'uint8' ? UINT8 : INT8);
    expect(largest(storedWeights(result.bytes, 'w_quantized'))).toBe(INT8_LIMIT);
    expect(await optimizedOpTypes(result.bytes)).toEqual(ops);
    const sw = maxAbs(w) / INT8_LIMIT;
    expectWithin(
      await run(result.bytes, x, [ROWS, K]),
      await run(float, x, [ROWS, K]),
      matMulBound(x, w, () => sw),
    );
  });

  it('folds Gemm transB, alpha and beta into the weight, scale and bias', async () => {
    const wt = random.normalArray(N * K, 0.05);
    const bias = random.normalArray(N, 0.1);
    const g = new GraphBuilder();
    g.input('x', 'float32', ['batch', K]);
    g.initializerFloat32('wt', wt, [N, K]);
    g.initializerFloat32('c', bias, [N]);
    g.node('Gemm', ['x', 'wt', 'c'], ['y'], {
      transB: 1,
      alpha: OnnxAttr.float(0.5),
      beta: OnnxAttr.float(2),
    });
    g.output('y', 'float32', ['batch', N]);
    const float = g.toBytes();

    const result = quantizeModel(float);

    expect(opTypes(result.bytes)).toContain('MatMulInteger');
    expect(opTypes(result.bytes)).not.toContain('Gemm');
    const w = transpose(wt, N, K);
    const sw = maxAbs(w) / INT7_LIMIT;
    expectWithin(
      await run(result.bytes, x, [ROWS, K]),
      await run(float, x, [ROWS, K]),
      matMulBound(x, w, () => sw).map((b) => b * 0.5 + 1e-5),
    );
  });

  it('stores Gather tables as int8 and reads rows within half a step', async () => {
    const table = random.normalArray(50 * 8, 0.02);
    const g = new GraphBuilder();
    g.input('ids', 'int64', ['batch', 'sequence']);
    g.initializerFloat32('table', table, [50, 8]);
    g.node('Gather', ['table', 'ids'], ['rows'], {}, { name: 'embed' });
    g.output('rows', 'float32', ['batch', 'sequence', 8]);
    const float = g.toBytes();

    const result = quantizeModel(float);

    const decoded = onnx.ModelProto.decode(result.bytes).graph;
    expect(decoded?.initializer?.find((t) => t.name === 'table')).toBeUndefined();
    expect(opTypes(result.bytes)).toEqual(['Gather', 'DequantizeLinear']);
    const ids = new Tensor('int64', BigInt64Array.from([0n, 49n, 7n, 7n]), [2, 2]);
    const [before, after] = await Promise.all(
      [float, result.bytes].map(async (bytes) => {
        const session = await InferenceSession.create(bytes);
        return (await session.run({ ids })).rows.data as Float32Array;
      }),
    );
    const step = maxAbs(table) / INT8_LIMIT;
    expectWithin(after, before, new Array<number>(after.length).fill(step / 2 + 1e-7));
  });

  it('quantizes a shared activation once, and ONNX Runtime fuses each chain with its bias', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', ['batch', K]);
    const outs = ['q', 'k', 'v'].map((name) => {
      g.initializerFloat32(`${name}.weight`, random.normalArray(K * N, 0.05), [K, N]);
      g.initializerFloat32(`${name}.bias`, random.normalArray(N, 0.05), [N]);
      return g.dense('x', `${name}.weight`, `${name}.bias`);
    });
    g.node('Concat', outs, ['y'], { axis: -1 });
    g.output('y', 'float32', ['batch', 3 * N]);

    const result = quantizeModel(g.toBytes());

    expect(opTypes(result.bytes).filter((op) => op === 'DynamicQuantizeLinear')).toHaveLength(1);
    // A shared DynamicQuantizeLinear stays; each product becomes MatMulIntegerToFloat (+ bias).
    expect(await optimizedOpTypes(result.bytes)).toEqual([
      'DynamicQuantizeLinear',
      'MatMulIntegerToFloat',
      'MatMulIntegerToFloat',
      'MatMulIntegerToFloat',
      'Concat',
    ]);
  });

  it('skips MatMuls without a constant weight and excluded nodes, saying why', () => {
    const g = denseGraph(random.normalArray(K * N, 0.05));
    g.input('other', 'float32', [N, 4]);
    g.node('MatMul', ['y', 'other'], ['z'], {}, { name: 'activations' });
    g.output('z', 'float32', ['batch', 4]);

    expect(quantizeModel(g.toBytes()).skipped).toEqual([
      {
        name: 'activations',
        opType: 'MatMul',
        reason: 'other is not a constant initializer',
      },
    ]);
    expect(() => quantizeModel(g.toBytes(), { exclude: ['dense'] })).toThrow(/nothing to quantize/);
  });

  it.each([
    [
      'an already quantized graph',
      () => quantizeModel(denseGraph(new Float32Array(K * N)).toBytes()).bytes,
      /already quantized/,
    ],
    [
      'opset 10',
      () => denseGraph(new Float32Array(K * N), 10).toBytes(),
      /opset 10.*needs opset 11/,
    ],
    [
      'a control-flow subgraph',
      () =>
        editedDenseGraph((graph) => {
          graph.node?.push({
            opType: 'If',
            name: 'branch',
            input: ['cond'],
            output: ['chosen'],
            attribute: [
              {
                name: 'then_branch',
                type: onnx.AttributeProto.AttributeType.GRAPH,
                g: { name: 'then' },
              },
            ],
          });
        }),
      /node branch \(If\) has a subgraph/,
    ],
    [
      'external weights',
      () =>
        editedDenseGraph((graph) => {
          const [w] = graph.initializer ?? [];
          w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        }),
      /initializer w is stored as external data/,
    ],
  ])('refuses %s', (_title, bytes, message) => {
    expect(() => quantizeModel(bytes())).toThrow(QuantizeRefusedError);
    expect(() => quantizeModel(bytes())).toThrow(message);
  });

  it('refuses an exclude list that names no node', () => {
    expect(() =>
      quantizeModel(denseGraph(new Float32Array(K * N)).toBytes(), { exclude: ['typo'] }),
    ).toThrow(/--exclude names no node: typo/);
  });
});
