import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { PredictionCache } from '../cache/prediction-cache.service';
import { InferenceService, type VersionInfo } from '../inference';
import { MetricsService } from '../metrics/metrics.service';
import { MemoryIndicator } from './memory.indicator';
import { ModelsIndicator } from './models.indicator';
import { RedisIndicator, type RedisState } from './redis.indicator';
import { ServerDrain } from './server-drain';

export interface LivenessReport {
  readonly status: 'healthy' | 'warning';
  readonly uptime_seconds: number;
  /** Requests answered since start, probes and scrapes left out. */
  readonly requests_processed: number;
  /** Resident memory as a share of the cgroup limit, or of system memory without one. */
  readonly memory_usage_percent: number;
  readonly cache_hit_rate: number;
  /** Predictions held in this replica's memory cache tier. */
  readonly cache_items: number;
  readonly issues: readonly string[];
  readonly models: {
    readonly loaded: number;
    readonly names: readonly string[];
    readonly ready: boolean;
    /** Each model's versions with their state (READY, LOADING, UNLOADING, UNAVAILABLE). */
    readonly versions: Readonly<Record<string, readonly VersionInfo[]>>;
  };
  readonly redis: RedisState;
  readonly shutting_down: boolean;
  /** Terminus' per-indicator details (`memory`, `redis`). */
  readonly checks: HealthCheckResult['details'];
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly result: HealthCheckResult;
}

function isHealthCheckResult(value: unknown): value is HealthCheckResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'details' in value;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly memory: MemoryIndicator,
    private readonly redis: RedisIndicator,
    private readonly models: ModelsIndicator,
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
    private readonly cache: PredictionCache,
    private readonly drain: ServerDrain,
  ) {}

  /**
   * Liveness: the process can answer. Memory pressure and a lost Redis make it a `warning`;
   * nothing makes it fail, because a restart would not fix either.
   */
  async liveness(): Promise<LivenessReport> {
    const result = await this.run([
      () => this.memory.check('memory'),
      () => this.redis.check('redis'),
    ]);
    const issues: string[] = [];
    for (const detail of Object.values(result.details)) {
      if (detail.status !== 'up' && typeof detail.message === 'string') issues.push(detail.message);
    }
    const loadError = this.inference.loadError();
    if (loadError !== undefined) issues.push(`model loading failed: ${loadError.message}`);
    const names = this.inference.listModels().map((model) => model.name);
    const memory = result.details.memory;
    return {
      status: issues.length === 0 ? 'healthy' : 'warning',
      uptime_seconds: round(process.uptime(), 3),
      requests_processed: this.metrics.requests.processedRequests(),
      memory_usage_percent: typeof memory?.usage_percent === 'number' ? memory.usage_percent : 0,
      cache_hit_rate: this.metrics.requests.cacheHitRate(),
      cache_items: this.cache.status().memory.items,
      issues,
      models: {
        loaded: names.length,
        names,
        ready: this.inference.isReady(),
        versions: this.inference.versionStates(),
      },
      redis: this.redis.state(),
      shutting_down: this.drain.draining || this.inference.isShuttingDown(),
      checks: result.details,
    };
  }

  /** Readiness: every model loaded and warmed, and not draining for shutdown. */
  async readiness(): Promise<ReadinessReport> {
    const result = await this.run([() => this.models.check('models')]);
    return { ready: result.status === 'ok' || result.status === 'degraded', result };
  }

  /**
   * Terminus throws a 503 carrying the result when a check is down or the app is shutting
   * down; the probes decide their status code themselves, so the result is taken back.
   */
  private async run(checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const response = error.getResponse();
        if (isHealthCheckResult(response)) return response;
      }
      throw error;
    }
  }
}
