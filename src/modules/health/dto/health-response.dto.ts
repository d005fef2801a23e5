import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  getSchemaPath,
  type SchemaObject,
} from '@nestjs/swagger';
import type { VersionInfo } from '../../inference';
import { VersionInfoDto } from '../../classification/dto/models-response.dto';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { LivenessReport } from '../health.service';
import type { RedisState } from '../redis.indicator';

// Examples copied from a real answer of a server with spam-en and lang-id and no Redis.

@ApiExtraModels(VersionInfoDto)
class ModelsStateDto {
  @ApiProperty({ type: 'integer', example: 2 })
  readonly loaded!: number;

  @ApiProperty({ type: [String], example: ['spam-en', 'lang-id'] })
  readonly names!: readonly string[];

  @ApiProperty({ description: 'Every model is loaded and warmed', example: true })
  readonly ready!: boolean;

  @ApiProperty({
    description: "Each model's versions: `{version, content_hash, state, reason}`",
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: getSchemaPath(VersionInfoDto) } },
    example: {
      'spam-en': [
        { version: 'b4d77e86788f', content_hash: 'b4d77e86788f', state: 'READY', reason: '' },
      ],
    },
  })
  readonly versions!: Readonly<Record<string, readonly VersionInfo[]>>;
}

/** Terminus' per-indicator report: `{<name>: {status, …}}`. */
const INDICATOR_DETAILS: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
  },
};

/** OpenAPI schema of {@link LivenessReport} (`GET /health`). */
export class LivenessReportDto implements LivenessReport {
  @ApiProperty({ enum: ['healthy', 'warning'], example: 'healthy' })
  readonly status!: 'healthy' | 'warning';

  @ApiProperty({ example: 8.519 })
  readonly uptime_seconds!: number;

  @ApiProperty({ description: 'Requests answered since start, probes and scrapes left out' })
  readonly requests_processed!: number;

  @ApiProperty({ description: 'Resident memory as a share of the cgroup (or system) limit' })
  readonly memory_usage_percent!: number;

  @ApiProperty({ example: 0 })
  readonly cache_hit_rate!: number;

  @ApiProperty({ description: "Predictions held in this replica's memory tier", example: 2 })
  readonly cache_items!: number;

  @ApiProperty({ description: 'Why the status is `warning`', type: [String], example: [] })
  readonly issues!: readonly string[];

  @ApiProperty({ type: ModelsStateDto })
  readonly models!: ModelsStateDto;

  @ApiProperty({ enum: ['disabled', 'up', 'down'], example: 'disabled' })
  readonly redis!: RedisState;

  @ApiProperty({ example: false })
  readonly shutting_down!: boolean;

  @ApiProperty({
    description: "Terminus' per-indicator details (`memory`, `redis`)",
    ...INDICATOR_DETAILS,
  })
  readonly checks!: HealthCheckResult['details'];
}

/** OpenAPI schema of terminus' {@link HealthCheckResult} (`GET /ready`). */
export class ReadinessReportDto implements HealthCheckResult {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  readonly status!: HealthCheckResult['status'];

  @ApiPropertyOptional(INDICATOR_DETAILS)
  readonly info?: HealthCheckResult['info'];

  @ApiPropertyOptional(INDICATOR_DETAILS)
  readonly error?: HealthCheckResult['error'];

  @ApiProperty(INDICATOR_DETAILS)
  readonly details!: HealthCheckResult['details'];
}
