import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config';
import { InferenceService } from './modules/inference';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  const app = await createApp(config);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining (grace ${config.SHUTDOWN_GRACE_MS} ms)`);
    // A hard stop in case a connection keeps the server open past the grace period.
    setTimeout(() => process.exit(0), config.SHUTDOWN_GRACE_MS + 5000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  // Fastify logs the "Server listening at …" line itself.
  await app.listen({ port: config.PORT, host: config.HOST });

  try {
    await app.get(InferenceService).whenLoaded();
    logger.log('All models loaded; ready');
  } catch (error) {
    logger.error((error as Error).message);
    await app.close();
    process.exit(1);
  }
}

bootstrap().catch((error: unknown) => {
  // Configuration errors are the common case; print them without a stack trace.
  const message =
    error instanceof ConfigError ? error.message : String((error as Error).stack ?? error);
  console.error(message);
  process.exit(1);
});
