import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InferenceService, type ModelInfo } from '../inference';
import { ModelsResponseDto } from './dto/models-response.dto';

@ApiTags('classification')
@Controller('models')
export class ModelsController {
  constructor(private readonly inference: InferenceService) {}

  @Get()
  @ApiOperation({ summary: 'The models this server answers with' })
  @ApiOkResponse({ description: 'Every loaded model', type: ModelsResponseDto })
  list(): { models: ModelInfo[] } {
    return { models: this.inference.listModels() };
  }
}
