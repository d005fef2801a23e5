/**
 * `npm run quantize -- <model dir> [--per-channel] [--weights int7|int8|uint8] [--exclude <names>]
 * [--out <file>]`: writes the int8 dynamic-quantized graph as model_quantized.onnx beside
 * model.onnx (the name transformers.js and optimum use for `dtype: 'q8'`) and prints what it did.
 * `--weights` defaults to int7, the format that gives the same answers on every CPU.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { formatQuantizeSummary } from './onnx/quantize/quantize-summary';
import { WEIGHT_FORMATS, type WeightFormat } from './onnx/quantize/int8-weights';
import { QuantizeRefusedError, quantizeModel } from './onnx/quantize/quantize-model';

const USAGE =
  'usage: npm run quantize -- <model dir> [--per-channel] [--weights int7|int8|uint8] [--exclude <node,node>] [--out <file>]';

function isWeightFormat(value: string): value is WeightFormat {
  return (WEIGHT_FORMATS as readonly string[]).includes(value);
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'per-channel': { type: 'boolean', default: false },
      weights: { type: 'string', default: 'int7' },
      exclude: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const weightFormat = values.weights;
  if (!isWeightFormat(weightFormat)) {
    console.error(
      `--weights: "${weightFormat}" is not one of ${WEIGHT_FORMATS.join(', ')}\n${USAGE}`,
    );
    return 2;
  }
  const dir = positionals[0];
  const source = ['model.onnx', join('onnx', 'model.onnx')]
    .map((file) => join(dir, file))
    .find((path) => existsSync(path));
  if (source === undefined) {
    console.error(`${dir}: neither model.onnx nor onnx/model.onnx exists`);
    return 1;
  }
  const target = values.out ?? join(dirname(source), 'model_quantized.onnx');
  const input = readFileSync(source);
  try {
    const result = quantizeModel(input, {
      perChannel: values['per-channel'],
      weightFormat,
      exclude: values.exclude.flatMap((list) => list.split(',')).filter((n) => n !== ''),
    });
    // Written beside and renamed, so a server never reads half a file.
    const partial = `${target}.partial-${process.pid}`;
    writeFileSync(partial, result.bytes);
    renameSync(partial, target);
    console.log(
      formatQuantizeSummary(result, {
        source: relative(process.cwd(), source),
        target: relative(process.cwd(), target),
        bytesBefore: input.length,
        bytesAfter: result.bytes.length,
        perChannel: values['per-channel'],
        weightFormat,
      }),
    );
    return 0;
  } catch (error) {
    if (error instanceof QuantizeRefusedError) {
      console.error(`${source}: not quantized: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
