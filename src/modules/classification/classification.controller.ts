import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { TextRulesPipe } from '../../common/pipes/text-rules.pipe';
import { ClassificationService } from './classification.service';
import { ClassifyBatchRequestDto, ClassifyRequestDto } from './dto/classify-request.dto';
import type { BatchClassificationResult, ClassificationResult } from './dto/classify-response.dto';

@Controller('classify')
export class ClassificationController {
  constructor(private readonly classification: ClassificationService) {}

  @Post()
  @HttpCode(200)
  async classify(@Body(TextRulesPipe) body: ClassifyRequestDto): Promise<ClassificationResult> {
    const [result] = await this.classification.classify([body.text], {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
    });
    return result;
  }

  @Post('batch')
  @HttpCode(200)
  async classifyBatch(
    @Body(TextRulesPipe) body: ClassifyBatchRequestDto,
  ): Promise<BatchClassificationResult> {
    const results = await this.classification.classify(body.texts, {
      model: body.model,
      modelVersion: body.model_version,
      topK: body.top_k,
    });
    return { results };
  }
}
