import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../../common/guards/admin-key.guard';
import { WithErrorShape } from '../../common/http/route-error-shape';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../docs/security-schemes';
import { InferenceService, type RepositoryIndexEntry, type VersionLoadOutcome } from '../inference';
import { errorFieldShape } from '../protocols/shared/error-shapes';
import { parseIndexRequest, parseLoadRequest, parseUnloadRequest } from './repository-request';

/** Errors as the Open Inference Protocol's `{error}` object, like the other V2 routes. */
const V2Errors = (): MethodDecorator => WithErrorShape(errorFieldShape);

/**
 * Triton's model repository extension: list the repository, load (or reload) and unload
 * models at run time. Admin only: it changes what every client is answered by.
 */
@ApiTags('admin')
@ApiSecurity(API_KEY_SCHEME)
@ApiBearerAuth(BEARER_SCHEME)
@UseGuards(AdminKeyGuard)
@Controller('v2/repository')
export class RepositoryController {
  constructor(private readonly inference: InferenceService) {}

  @V2Errors()
  @Post('index')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Every model in the repository, one row per version, with its state and reason',
    description: 'Needs ADMIN_API_KEY. Body `{"ready": true}` lists only READY versions.',
  })
  index(@Body() body: unknown): RepositoryIndexEntry[] {
    const { ready } = parseIndexRequest(body);
    const rows = this.inference.repositoryIndex();
    return ready ? rows.filter((row) => row.state === 'READY') : rows;
  }

  @V2Errors()
  @Post('models/:name/load')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Load or reload a model from disk; the serving version answers until the new one is warm',
    description:
      'Needs ADMIN_API_KEY. Body `{"parameters": {"versions": [2, 3]}}` names version folders; ' +
      "otherwise the model's sift.json version_policy chooses. A failed load is a 400 naming " +
      'the reason, and what served before keeps serving.',
  })
  async load(
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<{ name: string; versions: VersionLoadOutcome[] }> {
    const { versions } = parseLoadRequest(body);
    const outcomes = await this.inference.loadModel(name, versions);
    const failed = outcomes.filter((outcome) => !outcome.loaded);
    if (failed.length > 0) {
      throw new BadRequestException(
        `failed to load "${name}": ${failed.map((outcome) => `version ${outcome.version}: ${outcome.reason ?? ''}`).join('; ')}`,
      );
    }
    return { name, versions: outcomes };
  }

  @V2Errors()
  @Post('models/:name/unload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Unload every version of a model once its queued requests finish',
    description: 'Needs ADMIN_API_KEY.',
  })
  async unload(@Param('name') name: string, @Body() body: unknown): Promise<void> {
    parseUnloadRequest(body);
    await this.inference.unloadModel(name);
  }
}
