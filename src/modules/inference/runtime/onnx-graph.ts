import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelLoadError } from '../inference.errors';
import { explainCudaFailure } from './cuda-diagnosis';
import type { Logits } from './model-runner.interface';
import type { PackedRows } from './packed-rows';

// Kept free of NestJS imports: the inference worker thread loads this file on its own.

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
const OUTPUT_NAME = 'logits';

type IntegerType = 'int64' | 'int32';

export interface OnnxSessionOptions {
  readonly executionProviders: readonly string[];
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
  /**
   * Whether idle intra-op threads busy-wait for the next operator. Off when several sessions
   * share the cores: spinning threads would steal them from the session doing real work.
   */
  readonly allowSpinning: boolean;
}

interface GraphInput {
  readonly name: string;
  readonly type: IntegerType;
}

/**
 * An ONNX Runtime session fed exactly the inputs its graph declares, checked at load so a
 * malformed model fails start-up with a message naming its folder and file.
 */
export class OnnxGraph {
  private constructor(
    private readonly session: InferenceSession,
    private readonly inputs: readonly GraphInput[],
    /** Execution provider actually in use. */
    readonly provider: string,
    /** Providers tried before `provider`, with why each failed (empty when the first worked). */
    readonly fallbacks: readonly string[],
  ) {}

  static async open(
    modelDir: string,
    graphPath: string,
    options: OnnxSessionOptions,
  ): Promise<OnnxGraph> {
    const graphFile = graphPath.slice(modelDir.length + 1);
    const failures: string[] = [];
    for (const provider of options.executionProviders) {
      let session: InferenceSession;
      try {
        session = await InferenceSession.create(graphPath, sessionOptions(provider, options));
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        const hint = provider === 'cuda' ? explainCudaFailure(message) : undefined;
        failures.push(`${provider}: ${message}${hint === undefined ? '' : ` — ${hint}`}`);
        continue;
      }
      try {
        return new OnnxGraph(
          session,
          graphInputs(session, modelDir, graphFile),
          provider,
          failures,
        );
      } catch (error) {
        await session.release();
        throw error;
      }
    }
    throw new ModelLoadError(
      modelDir,
      graphFile,
      `no execution provider could load it (${failures.join('; ')})`,
    );
  }

  async run(rows: PackedRows, padId: number): Promise<Logits> {
    const feeds: Record<string, Tensor> = {};
    for (const input of this.inputs) feeds[input.name] = buildInputTensor(input, rows, padId);
    const output = (await this.session.run(feeds, [OUTPUT_NAME]))[OUTPUT_NAME];
    if (output === undefined || output.type !== 'float32' || output.dims.length !== 2) {
      throw new Error(`"${OUTPUT_NAME}" must be a float32 [batch, labels] tensor`);
    }
    const data = output.data as Float32Array;
    const width = Number(output.dims[1]);
    output.dispose();
    return { data, width };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function sessionOptions(
  provider: string,
  options: OnnxSessionOptions,
): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // 0 lets ONNX Runtime pick (one thread per physical core).
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads > 0 ? { interOpNumThreads: options.interOpThreads } : {}),
    ...(options.allowSpinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

function graphInputs(session: InferenceSession, modelDir: string, graphFile: string): GraphInput[] {
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
  return inputs;
}

/** Pads every row to the longest one; typed arrays start zeroed, so only non-zero cells are written. */
function buildInputTensor(input: GraphInput, rows: PackedRows, padId: number): Tensor {
  const batch = rows.lengths.length;
  let sequence = 1;
  for (const length of rows.lengths) if (length > sequence) sequence = length;
  const dims = [batch, sequence];
  if (input.type === 'int32') {
    const values = new Int32Array(batch * sequence);
    fillInput(input.name, rows, sequence, padId, values, (value) => value);
    return new Tensor('int32', values, dims);
  }
  const values = new BigInt64Array(batch * sequence);
  fillInput(input.name, rows, sequence, padId, values, BigInt);
  return new Tensor('int64', values, dims);
}

function fillInput<T extends number | bigint>(
  name: string,
  rows: PackedRows,
  sequence: number,
  padId: number,
  values: { [index: number]: T; fill(value: T, start: number, end: number): unknown },
  convert: (value: number) => T,
): void {
  const one = convert(1);
  if (name === 'token_type_ids') {
    // 0 for single texts and a pair's first sequence; 1 from the second sequence on.
    const starts = rows.typeStarts;
    if (starts === undefined) return;
    for (let r = 0; r < rows.lengths.length; r++) {
      const base = r * sequence;
      values.fill(one, base + starts[r], base + rows.lengths[r]);
    }
    return;
  }
  if (name !== 'input_ids' && name !== 'attention_mask') return;
  const pad = convert(padId);
  let offset = 0;
  for (let r = 0; r < rows.lengths.length; r++) {
    const length = rows.lengths[r];
    const base = r * sequence;
    if (name === 'attention_mask') {
      values.fill(one, base, base + length);
    } else {
      for (let c = 0; c < length; c++) values[base + c] = convert(rows.ids[offset + c]);
      if (padId !== 0) values.fill(pad, base + length, base + sequence);
    }
    offset += length;
  }
}
