import { Logger } from '@nestjs/common';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelLoadError } from '../inference.errors';
import type { Logits, ModelRunner } from './model-runner.interface';

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
const OUTPUT_NAME = 'logits';

type IntegerType = 'int64' | 'int32';

export interface OnnxRunnerOptions {
  readonly executionProviders: readonly string[];
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
}

interface GraphInput {
  readonly name: string;
  readonly type: IntegerType;
}

/** onnxruntime-node session fed exactly the inputs its graph declares. */
export class OnnxModelRunner implements ModelRunner {
  private static readonly logger = new Logger('OnnxModelRunner');

  private constructor(
    private readonly session: InferenceSession,
    private readonly inputs: readonly GraphInput[],
    readonly provider: string,
  ) {}

  static async create(
    modelDir: string,
    graphPath: string,
    options: OnnxRunnerOptions,
  ): Promise<OnnxModelRunner> {
    const { session, provider } = await OnnxModelRunner.openSession(modelDir, graphPath, options);
    const graphFile = graphPath.slice(modelDir.length + 1);
    const inputs = session.inputMetadata.map((meta): GraphInput => {
      if (!KNOWN_INPUTS.has(meta.name)) {
        throw new ModelLoadError(
          modelDir,
          graphFile,
          `graph input "${meta.name}" is not one of ${[...KNOWN_INPUTS].join(', ')}`,
        );
      }
      const type = meta.isTensor ? meta.type : undefined;
      if (type !== 'int64' && type !== 'int32') {
        throw new ModelLoadError(
          modelDir,
          graphFile,
          `graph input "${meta.name}" must be int64 or int32, got ${String(type)}`,
        );
      }
      return { name: meta.name, type };
    });
    if (!inputs.some((input) => input.name === 'input_ids')) {
      throw new ModelLoadError(modelDir, graphFile, 'graph has no "input_ids" input');
    }
    if (!session.outputNames.includes(OUTPUT_NAME)) {
      throw new ModelLoadError(
        modelDir,
        graphFile,
        `graph has no "${OUTPUT_NAME}" output (outputs: ${session.outputNames.join(', ')})`,
      );
    }
    return new OnnxModelRunner(session, inputs, provider);
  }

  private static async openSession(
    modelDir: string,
    graphPath: string,
    options: OnnxRunnerOptions,
  ): Promise<{ session: InferenceSession; provider: string }> {
    const failures: string[] = [];
    for (const provider of options.executionProviders) {
      try {
        const session = await InferenceSession.create(graphPath, {
          executionProviders: [provider],
          graphOptimizationLevel: 'all',
          // 0 lets ONNX Runtime pick (one thread per physical core).
          ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
          ...(options.interOpThreads > 0 ? { interOpNumThreads: options.interOpThreads } : {}),
        });
        if (failures.length > 0) {
          OnnxModelRunner.logger.warn(
            `${modelDir}: falling back to the "${provider}" execution provider (${failures.join('; ')})`,
          );
        }
        return { session, provider };
      } catch (error) {
        failures.push(`${provider}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    throw new ModelLoadError(
      modelDir,
      graphPath.slice(modelDir.length + 1),
      `no execution provider could load it (${failures.join('; ')})`,
    );
  }

  async run(rows: readonly (readonly number[])[], padId: number): Promise<Logits> {
    const batch = rows.length;
    let sequence = 1;
    for (const row of rows) if (row.length > sequence) sequence = row.length;

    const feeds: Record<string, Tensor> = {};
    for (const input of this.inputs) {
      feeds[input.name] = buildInputTensor(input, rows, batch, sequence, padId);
    }
    const output = (await this.session.run(feeds, [OUTPUT_NAME]))[OUTPUT_NAME];
    if (output === undefined || output.type !== 'float32' || output.dims.length !== 2) {
      throw new Error(`"${OUTPUT_NAME}" must be a float32 [batch, labels] tensor`);
    }
    const data = output.data as Float32Array;
    const width = Number(output.dims[1]);
    output.dispose();
    return { data, width };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function buildInputTensor(
  input: GraphInput,
  rows: readonly (readonly number[])[],
  batch: number,
  sequence: number,
  padId: number,
): Tensor {
  const size = batch * sequence;
  const dims = [batch, sequence];
  // Typed arrays start zeroed: token_type_ids stay 0 (single sequences) and padding
  // positions only need writing when the pad id is not 0.
  if (input.type === 'int32') {
    const values = new Int32Array(size);
    fillInt32(input.name, values, rows, sequence, padId);
    return new Tensor('int32', values, dims);
  }
  const values = new BigInt64Array(size);
  fillInt64(input.name, values, rows, sequence, padId);
  return new Tensor('int64', values, dims);
}

function fillInt32(
  name: string,
  values: Int32Array,
  rows: readonly (readonly number[])[],
  sequence: number,
  padId: number,
): void {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const base = r * sequence;
    if (name === 'input_ids') {
      for (let c = 0; c < row.length; c++) values[base + c] = row[c];
      if (padId !== 0) values.fill(padId, base + row.length, base + sequence);
    } else if (name === 'attention_mask') {
      values.fill(1, base, base + row.length);
    }
  }
}

function fillInt64(
  name: string,
  values: BigInt64Array,
  rows: readonly (readonly number[])[],
  sequence: number,
  padId: number,
): void {
  const pad = BigInt(padId);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const base = r * sequence;
    if (name === 'input_ids') {
      for (let c = 0; c < row.length; c++) values[base + c] = BigInt(row[c]);
      if (padId !== 0) values.fill(pad, base + row.length, base + sequence);
    } else if (name === 'attention_mask') {
      values.fill(1n, base, base + row.length);
    }
  }
}
