import type { Logger } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import type { GpuProbe } from './gpu-probe';

/**
 * Registers `nlp_gpu_utilization_percent` if `probe` answers now; returns how many GPUs it saw
 * (0: no gauge, as on a machine without an answering nvidia-smi).
 */
export async function registerGpuGauge(
  registry: Registry,
  probe: GpuProbe,
  logger: Logger,
): Promise<number> {
  const readings = await probe.read();
  if (readings === undefined) return 0;
  new Gauge({
    name: 'nlp_gpu_utilization_percent',
    help: 'GPU utilisation reported by nvidia-smi, by GPU index (0..100)',
    labelNames: ['gpu'],
    registers: [registry],
    async collect() {
      const current = await probe.read();
      // A GPU that stops answering reports nothing rather than its last value.
      this.reset();
      if (current === undefined) {
        logger.debug('nvidia-smi did not answer during a scrape');
        return;
      }
      for (const { gpu, percent } of current) this.set({ gpu }, percent);
    },
  });
  return readings.length;
}
