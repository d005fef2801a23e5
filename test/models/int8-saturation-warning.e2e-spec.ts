import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadConfig } from '../../src/config/load-config';
import type { LoadedModel } from '../../src/modules/inference/model/loaded-model';
import { DEFAULT_POLICY } from '../../src/modules/inference/repository/model-policy';
import { VersionLoader } from '../../src/modules/inference/repository/version-loader';
import {
  type CpuFeatures,
  readCpuFeatures,
} from '../../src/modules/inference/runtime/cpu-features';
import type { WeightFormat } from '../../tools/onnx/quantize/int8-weights';
import { quantizeModel } from '../../tools/onnx/quantize/quantize-model';
import { ModelsSandbox } from '../fixtures/model-fixtures';

/** The same host as far as ONNX Runtime goes; only the flags the loader reads differ. */
const cpu =
  (u8s8Saturates: boolean): (() => CpuFeatures) =>
  () => ({ ...readCpuFeatures(), u8s8Saturates });

describe('a q8 graph with full-range int8 weights on a CPU without VNNI', () => {
  const sandbox = new ModelsSandbox();
  const config = loadConfig({ MODELS_DIR: sandbox.dir, INFERENCE_WORKERS: '0' });
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  const loaded: LoadedModel[] = [];

  function quantizedSpamEn(as: string, weightFormat: WeightFormat): void {
    sandbox.copyShipped('spam-en', as);
    const float = readFileSync(join(sandbox.dir, as, 'onnx', 'model.onnx'));
    const { bytes } = quantizeModel(float, { weightFormat });
    sandbox.write(as, join('onnx', 'model_quantized.onnx'), bytes);
  }

  async function load(name: string, saturates: boolean): Promise<string[]> {
    warn.mockClear();
    const loader = new VersionLoader(config, undefined, undefined, cpu(saturates));
    const model = await loader.load({
      name: `${name}@q8`,
      dir: join(sandbox.dir, name),
      versionNumber: undefined,
      dtype: 'q8',
      policy: DEFAULT_POLICY,
    });
    loaded.push(model);
    return warn.mock.calls.map(([message]) => String(message));
  }

  beforeAll(() => {
    quantizedSpamEn('full-range', 'int8');
    quantizedSpamEn('seven-bit', 'int7');
  });

  afterAll(async () => {
    await Promise.all(loaded.map((model) => model.runner.release()));
    warn.mockRestore();
    sandbox.dispose();
  });

  it('logs one warning that names the model and how to requantize', async () => {
    const warnings = await load('full-range', true);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^full-range@q8: \d+ int8 weight tensor\(s\) use the full ±127/);
    expect(warnings[0]).toContain('npm run quantize');
  });

  it('stays silent on a CPU with VNNI', async () => {
    expect(await load('full-range', false)).toEqual([]);
  });

  it('stays silent for 7-bit weights, which no CPU saturates', async () => {
    expect(await load('seven-bit', true)).toEqual([]);
  });
});
