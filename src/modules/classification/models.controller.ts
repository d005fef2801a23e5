import { Controller, Get } from '@nestjs/common';
import { InferenceService, type ModelInfo } from '../inference';

@Controller('models')
export class ModelsController {
  constructor(private readonly inference: InferenceService) {}

  @Get()
  list(): { models: ModelInfo[] } {
    return { models: this.inference.listModels() };
  }
}
