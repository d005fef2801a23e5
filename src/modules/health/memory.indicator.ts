import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectConfig, type AppConfig } from '../../config';
import { detectMemoryLimit, type MemoryLimit } from './memory-limit';

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Resident memory as a share of the limit (see `detectMemoryLimit`). RSS rather than the
 * cgroup's `memory.current`, which also counts page cache the kernel reclaims before an OOM
 * kill. Over MEMORY_WARNING_PERCENT the indicator is `degraded`: a warning, never a failure.
 */
@Injectable()
export class MemoryIndicator {
  private readonly limit: MemoryLimit = detectMemoryLimit();

  constructor(
    private readonly indicators: HealthIndicatorService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const rss = process.memoryUsage.rss();
    const percent = (rss / this.limit.bytes) * 100;
    const threshold = this.config.MEMORY_WARNING_PERCENT;
    const data = {
      rss_bytes: rss,
      limit_bytes: this.limit.bytes,
      limit_source: this.limit.source,
      usage_percent: round(percent, 3),
      warning_percent: threshold,
    };
    if (percent <= threshold) return session.up(data);
    return session.degraded({
      ...data,
      message: `memory usage ${round(percent, 1)}% of the ${this.limit.source} limit is over MEMORY_WARNING_PERCENT (${threshold}%)`,
    });
  }
}
