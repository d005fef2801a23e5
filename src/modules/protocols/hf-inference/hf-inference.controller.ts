import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { documentedSchema } from '../../../common/validation/documented-schema';
import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WithErrorShape } from '../../../common/http/route-error-shape';
import { rankLabels, type Prediction } from '../../inference';
import { toProbabilities } from '../../inference/postprocess';
import { RateLimited } from '../../rate-limit';
import { errorFieldShape } from '../shared/error-shapes';
import { ClassificationPipeline } from '../../classification/classification-pipeline.service';
import { hfRequestBody, parseHfTextClassification, type HfFunctionToApply } from './hf-request';

/** One `{label, score}` of the text-classification task's output. */
export interface HfLabelScore {
  readonly label: string;
  readonly score: number;
}

const HfErrors = (): MethodDecorator => WithErrorShape(errorFieldShape);

function scores(prediction: Prediction, functionToApply: HfFunctionToApply | undefined): number[] {
  // Without the parameter the model's own activation applies: exactly /classify's numbers.
  if (functionToApply === undefined) return [...prediction.probabilities];
  return toProbabilities(Float32Array.from(prediction.logits), functionToApply);
}

/**
 * The Hugging Face Inference API's text-classification task, which the official clients
 * (`@huggingface/inference`, `huggingface_hub`) call with an endpoint URL: `POST /` for the
 * default model, `POST /models/{name}` for one model. The answer is always a list of lists.
 */
@ApiTags('hugging-face-inference-api')
@Controller()
export class HfInferenceController {
  constructor(private readonly classifier: ClassificationPipeline) {}

  @HfErrors()
  @RateLimited()
  @ApiOperation({ summary: 'Hugging Face Inference API text classification on the default model' })
  @ApiBody({ schema: documentedSchema(hfRequestBody, 'input') })
  @Post()
  @HttpCode(200)
  classifyDefault(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<HfLabelScore[][]> {
    return this.answer(request, body);
  }

  @HfErrors()
  @RateLimited()
  @ApiOperation({ summary: 'Hugging Face Inference API text classification on one model' })
  @ApiBody({ schema: documentedSchema(hfRequestBody, 'input') })
  @Post('models/:name')
  @HttpCode(200)
  classifyWith(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<HfLabelScore[][]> {
    return this.answer(request, body, name);
  }

  private async answer(
    request: FastifyRequest,
    body: unknown,
    name?: string,
  ): Promise<HfLabelScore[][]> {
    const task = parseHfTextClassification(body);
    const { model, answers } = await this.classifier.classify(request, {
      inputs: task.sequences.map(({ text, pair }) => (pair === undefined ? text : { text, pair })),
      model: name,
      listName: task.sequences.length > 1 ? 'inputs' : undefined,
      singleName: 'inputs',
      pairName: 'text_pair',
    });
    const labels = model.config.labels;
    return answers.map(({ prediction }) =>
      rankLabels(scores(prediction, task.functionToApply), labels, task.topK).map(
        ({ label, score }) => ({ label, score }),
      ),
    );
  }
}
