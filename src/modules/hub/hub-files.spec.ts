import { chooseServingFiles, type HubFile, NoOnnxGraphError } from './hub-files';

const file = (path: string): HubFile => ({ path, size: 1, oid: 'a'.repeat(40) });
const paths = (chosen: { files: readonly HubFile[] }) => chosen.files.map((f) => f.path).sort();

describe(chooseServingFiles.name, () => {
  const repo = [
    'README.md',
    'config.json',
    'tokenizer.json',
    'vocab.txt',
    'model.safetensors',
    'pytorch_model.bin',
    'onnx/model.onnx',
    'onnx/model_quantized.onnx',
  ].map(file);

  it('takes the config, the tokenizer files and the fp32 graph, never the weights', () => {
    const sut = chooseServingFiles('acme/m', repo, 'fp32');
    expect(sut.graph).toBe('onnx/model.onnx');
    expect(paths(sut)).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json', 'vocab.txt']);
  });

  it('takes the quantized graph alone for q8', () => {
    const sut = chooseServingFiles('acme/m', repo, 'q8');
    expect(sut).toMatchObject({ graph: 'onnx/model_quantized.onnx', dtype: 'q8' });
    expect(paths(sut)).not.toContain('onnx/model.onnx');
  });

  it('serves the fp32 graph for q8 when the repository has no quantized one', () => {
    const sut = chooseServingFiles('acme/m', [file('config.json'), file('model.onnx')], 'q8');
    expect(sut).toMatchObject({ graph: 'model.onnx', dtype: 'fp32' });
  });

  it("takes the graph's external data files", () => {
    const files = ['config.json', 'model.onnx', 'model.onnx_data', 'model.onnx_data_1'].map(file);
    expect(paths(chooseServingFiles('acme/m', files, 'fp32'))).toEqual([
      'config.json',
      'model.onnx',
      'model.onnx_data',
      'model.onnx_data_1',
    ]);
  });

  it('lists what a repository without a graph has, with the export command', () => {
    const files = ['config.json', 'model.safetensors'].map(file);
    expect(() => chooseServingFiles('acme/m', files, 'fp32')).toThrow(NoOnnxGraphError);
    expect(() => chooseServingFiles('acme/m', files, 'fp32')).toThrow(
      /has config.json, model.safetensors\): export one with `optimum-cli export onnx --model acme\/m <dir>`/,
    );
  });
});
