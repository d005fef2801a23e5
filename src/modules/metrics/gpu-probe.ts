import { Injectable } from '@nestjs/common';
import { execFile } from 'node:child_process';

export interface GpuUtilization {
  /** nvidia-smi's GPU index, kept as a string because it becomes a label. */
  readonly gpu: string;
  readonly percent: number;
}

/** Reads GPU utilisation; undefined when no GPU tool answers. */
export interface GpuProbe {
  read(): Promise<readonly GpuUtilization[] | undefined>;
}

export const GPU_PROBE = Symbol('sift:gpu-probe');

/** A hung driver must not hold up start-up or a scrape for long. */
const NVIDIA_SMI_TIMEOUT_MS = 2000;

/**
 * Parses `nvidia-smi --query-gpu=index,utilization.gpu --format=csv,noheader,nounits`.
 * GPUs that report no number (`[N/A]`, e.g. MIG slices) are left out.
 */
export function parseNvidiaSmi(output: string): GpuUtilization[] {
  const readings: GpuUtilization[] = [];
  for (const line of output.split('\n')) {
    const [gpu, value] = line.split(',').map((field) => field.trim());
    const percent = Number(value);
    if (gpu === undefined || gpu === '' || value === undefined || value === '') continue;
    if (Number.isFinite(percent)) readings.push({ gpu, percent });
  }
  return readings;
}

@Injectable()
export class NvidiaSmiGpuProbe implements GpuProbe {
  read(): Promise<readonly GpuUtilization[] | undefined> {
    return new Promise((resolve) => {
      execFile(
        'nvidia-smi',
        ['--query-gpu=index,utilization.gpu', '--format=csv,noheader,nounits'],
        { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true },
        (error, stdout) => {
          // No binary, no driver or no GPU all mean the same here: nothing to report.
          if (error !== null) {
            resolve(undefined);
            return;
          }
          const readings = parseNvidiaSmi(stdout);
          resolve(readings.length > 0 ? readings : undefined);
        },
      );
    });
  }
}
