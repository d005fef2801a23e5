import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../tools/onnx/graph-builder';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { startTestApp } from '../helpers/test-app';

/** A valid two-label graph whose output is named `outputName` and whose inputs are `inputs`. */
function tinyGraph(
  outputName: string,
  inputs: readonly string[] = ['input_ids', 'attention_mask'],
): Uint8Array {
  const g = new GraphBuilder({ name: 'tiny' });
  for (const input of inputs) g.input(input, 'int64', ['batch', 'sequence']);
  const table = g.constFloat32(
    Array.from({ length: 40000 * 2 }, (_, i) => (i % 7) / 7),
    [40000, 2],
  );
  const gathered = g.op('Gather', [table, 'input_ids']);
  g.node('ReduceSum', [gathered, g.constInt64([1])], [outputName], { keepdims: 0 });
  g.output(outputName, 'float32', ['batch', 2]);
  return g.toBytes();
}

async function loadError(sandbox: ModelsSandbox, model: string): Promise<string> {
  const app = await startTestApp(
    { MODELS_DIR: sandbox.dir, MODELS: model },
    { waitForModels: false },
  );
  try {
    await app.inference.whenLoaded();
    return 'loaded without error';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await app.close();
  }
}

describe('malformed model folders are refused at start-up with a message naming the problem', () => {
  const sandbox = new ModelsSandbox();

  afterAll(() => sandbox.dispose());

  it('missing tokenizer.json', async () => {
    const dir = sandbox.copyShipped('spam-en', 'no-tokenizer');
    sandbox.remove('no-tokenizer', 'tokenizer.json');
    expect(await loadError(sandbox, 'no-tokenizer')).toBe(
      `Cannot load model from ${dir}: tokenizer.json: file is missing`,
    );
  });

  it('id2label size differs from the logits width', async () => {
    const dir = sandbox.copyShipped('spam-en', 'three-labels');
    sandbox.editJson('three-labels', 'config.json', (config) => {
      config.id2label = { 0: 'ham', 1: 'spam', 2: 'eggs' };
      config.label2id = { ham: 0, spam: 1, eggs: 2 };
    });
    expect(await loadError(sandbox, 'three-labels')).toBe(
      `Cannot load model from ${dir}: config.json: id2label has 3 labels but the graph's logits have width 2`,
    );
  });

  it('a graph without a logits output', async () => {
    const dir = sandbox.copyShipped('spam-en', 'no-logits');
    sandbox.remove('no-logits', 'onnx');
    sandbox.write('no-logits', 'model.onnx', tinyGraph('scores'));
    expect(await loadError(sandbox, 'no-logits')).toBe(
      `Cannot load model from ${dir}: model.onnx: graph has no "logits" output (outputs: scores)`,
    );
  });

  it('a graph input Sift cannot feed', async () => {
    sandbox.copyShipped('spam-en', 'odd-input');
    sandbox.remove('odd-input', 'onnx');
    sandbox.write('odd-input', 'model.onnx', tinyGraph('logits', ['input_ids', 'pixel_values']));
    expect(await loadError(sandbox, 'odd-input')).toMatch(
      /model\.onnx: graph input "pixel_values" is not one of/,
    );
  });

  it('no graph at all', async () => {
    sandbox.copyShipped('spam-en', 'no-graph');
    sandbox.remove('no-graph', 'onnx');
    expect(await loadError(sandbox, 'no-graph')).toMatch(/no-graph: model\.onnx: file is missing/);
  });

  it('config.json that is not JSON, or lacks id2label', async () => {
    sandbox.copyShipped('spam-en', 'bad-json');
    sandbox.write('bad-json', 'config.json', '{ "id2label": ');
    expect(await loadError(sandbox, 'bad-json')).toMatch(/bad-json: config\.json: invalid JSON/);

    sandbox.copyShipped('spam-en', 'no-labels');
    sandbox.editJson('no-labels', 'config.json', (config) => delete config.id2label);
    expect(await loadError(sandbox, 'no-labels')).toMatch(
      /no-labels: config\.json: id2label is missing/,
    );
  });

  it('serves a plain optimum-style folder with model.onnx at the top level', async () => {
    const dir = sandbox.copyShipped('spam-en', 'flat');
    renameSync(join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx'));
    sandbox.remove('flat', 'onnx');
    expect(await loadError(sandbox, 'flat')).toBe('loaded without error');
  });
});
