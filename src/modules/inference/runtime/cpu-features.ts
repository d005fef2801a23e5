import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';

/** The processor facts that change what ONNX Runtime's int8 kernels compute and how fast. */
export interface CpuFeatures {
  /** `os.arch()`: `x64`, `arm64`, … */
  readonly arch: string;
  readonly model: string;
  /** The flags that matter for int8 and float kernels, as /proc/cpuinfo spells them. */
  readonly flags: readonly string[];
  /**
   * Whether ONNX Runtime's U8S8 kernels can saturate here: x86-64 without VNNI uses
   * `VPMADDUBSW`, whose int16 pair sums overflow for full-range int8 weights. Undefined where
   * the flags cannot be read (x86-64 outside Linux).
   */
  readonly u8s8Saturates: boolean | undefined;
}

/** Flags worth printing beside a speed or fidelity figure. */
const REPORTED_FLAGS = [
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx_vnni',
  'avx512_bf16',
  'amx_int8',
] as const;

/** Either VNNI form gives ONNX Runtime an int8 dot product that accumulates in 32 bits. */
const VNNI_FLAGS = new Set(['avx512_vnni', 'avx_vnni']);

/**
 * Reads the processor's features. Linux exposes the flags the kernel saw in /proc/cpuinfo;
 * Node has no portable way to read CPUID, so elsewhere on x86-64 the answer stays unknown.
 */
export function readCpuFeatures(
  host: { readonly arch?: string; readonly cpuinfo?: () => string } = {},
): CpuFeatures {
  const architecture = host.arch ?? arch();
  const model = cpus()[0]?.model.trim() ?? 'unknown';
  if (architecture !== 'x64') {
    // arm64's int8 kernels (SDOT/UDOT, or 16-bit widening without them) accumulate in 32 bits.
    return { arch: architecture, model, flags: [], u8s8Saturates: false };
  }
  const text = (host.cpuinfo ?? readProcCpuinfo)();
  const line = /^flags\s*:(.*)$/m.exec(text)?.[1];
  if (line === undefined) return { arch: architecture, model, flags: [], u8s8Saturates: undefined };
  const present = new Set(line.trim().split(/\s+/));
  const flags = REPORTED_FLAGS.filter((flag) => present.has(flag));
  return {
    arch: architecture,
    model,
    flags,
    u8s8Saturates: ![...VNNI_FLAGS].some((flag) => present.has(flag)),
  };
}

/** One line for logs, benchmark headers and `quantize:check`. */
export function describeCpu(features: CpuFeatures = readCpuFeatures()): string {
  const flags = features.flags.length > 0 ? features.flags.join(' ') : 'flags unknown';
  return `${features.model} (${features.arch}; ${flags})`;
}

function readProcCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux, or /proc is not mounted (some sandboxes): the flags are simply unknown.
    return '';
  }
}
