import { createApp } from './app.factory';
import { createLambdaHandler, type LambdaApp, type LambdaHandler } from './lambda-handler';
import { InferenceService } from './modules/inference';

/** Builds the app and waits for the models, so the first request is not answered with 503. */
async function createLambdaApp(): Promise<LambdaApp> {
  const app = await createApp();
  await app.get(InferenceService).whenLoaded();
  return app;
}

/** AWS Lambda entry point (serverless.yml: `dist/lambda.handler`), one app per container. */
export const handler: LambdaHandler = createLambdaHandler(createLambdaApp);
