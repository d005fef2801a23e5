import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { createLambdaHandler, type LambdaApp, type LambdaHandler } from './lambda-handler';
import { InferenceService } from './modules/inference';

/**
 * Builds the app and waits for the models, so the first request is not answered with 503.
 * An app whose models failed to load is closed before the error goes to the invocation: the
 * handler builds a new one on the next invocation, and this one's tokenizer threads and ONNX
 * sessions would otherwise live on beside it for as long as the container does.
 */
async function createLambdaApp(): Promise<LambdaApp> {
  const app = await createApp();
  try {
    await app.get(InferenceService).whenLoaded();
  } catch (error) {
    // The load error is the one the invocation needs; a failure to close must not replace it.
    await app.close().catch((closeError: unknown) => {
      new Logger('Lambda').error(
        `Closing the app whose models failed to load: ${String(closeError)}`,
      );
    });
    throw error;
  }
  return app;
}

/** AWS Lambda entry point (serverless.yml: `dist/lambda.handler`), one app per container. */
export const handler: LambdaHandler = createLambdaHandler(createLambdaApp);
