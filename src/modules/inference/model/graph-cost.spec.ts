import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { GraphBuilder } from '../../../../tools/onnx/graph-builder';
import { BERT_BENCH_DIR } from '../../../../tools/bert-bench/bert-bench.builder';
import { SHIPPED_MODELS_DIR } from '../../../../tools/common/model-dirs';
import {
  graphCost,
  isLightGraph,
  LIGHT_GRAPH_MAX_DENSE_WEIGHTS,
  readGraphCost,
} from './graph-cost';

const SHIPPED = SHIPPED_MODELS_DIR;

function decoded(builder: GraphBuilder): onnx.IGraphProto {
  return onnx.ModelProto.decode(builder.toBytes()).graph ?? {};
}

describe('graph cost', () => {
  it('counts the constant weights of MatMul and Gemm, not embedding lookups', () => {
    const g = new GraphBuilder();
    g.input('ids', 'int64', ['batch', 'sequence']);
    g.initializerFloat32('table', new Array<number>(1000 * 4).fill(0), [1000, 4]);
    const pooled = g.op('ReduceMean', [g.op('Gather', ['table', 'ids']), g.constInt64([1])], {
      keepdims: 0,
    });
    const hidden = g.op('MatMul', [
      pooled,
      g.constFloat32(new Array<number>(4 * 8).fill(0), [4, 8]),
    ]);
    g.node('Gemm', [hidden, g.constFloat32(new Array<number>(8 * 2).fill(0), [8, 2])], ['logits']);
    g.output('logits', 'float32', ['batch', 2]);

    const cost = graphCost(decoded(g));

    expect(cost).toEqual({ denseWeights: 4 * 8 + 8 * 2, hasAttention: false });
    expect(isLightGraph(cost)).toBe(true);
  });

  it('calls a MatMul of two computed tensors attention, which is never light', () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', ['batch', 'sequence', 4]);
    const keys = g.op('Transpose', ['x'], { perm: [0, 2, 1] });
    g.node('MatMul', ['x', keys], ['scores']);
    g.output('scores', 'float32', ['batch', 'sequence', 'sequence']);

    const cost = graphCost(decoded(g));

    expect(cost).toEqual({ denseWeights: 0, hasAttention: true });
    expect(isLightGraph(cost)).toBe(false);
  });

  it('is not light past the dense-weight threshold', () => {
    expect(isLightGraph({ denseWeights: LIGHT_GRAPH_MAX_DENSE_WEIGHTS, hasAttention: false })).toBe(
      true,
    );
    expect(
      isLightGraph({ denseWeights: LIGHT_GRAPH_MAX_DENSE_WEIGHTS + 1, hasAttention: false }),
    ).toBe(false);
  });

  it('reads the shipped models as light and bert-bench as heavy, from their files', async () => {
    const spam = await readGraphCost(join(SHIPPED, 'spam-en', 'onnx', 'model.onnx'));
    const lang = await readGraphCost(join(SHIPPED, 'lang-id', 'onnx', 'model.onnx'));
    const bert = await readGraphCost(join(BERT_BENCH_DIR, 'onnx', 'model.onnx'));

    expect([isLightGraph(spam), isLightGraph(lang), isLightGraph(bert)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(bert.hasAttention).toBe(true);
  });

  it('reads a file written by another tool the same as the decoded graph', async () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', ['batch', 3]);
    g.node('MatMul', ['x', g.constFloat32([1, 2, 3, 4, 5, 6], [3, 2])], ['y']);
    g.output('y', 'float32', ['batch', 2]);
    const path = join(mkdtempSync(join(tmpdir(), 'sift-cost-')), 'model.onnx');
    writeFileSync(path, g.toBytes());

    expect(await readGraphCost(path)).toEqual(graphCost(decoded(g)));
  });
});
