import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config';
import { ServerDrain } from './modules/health/server-drain';
import { InferenceService } from './modules/inference';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  const app = await createApp(config);

  let closing = false;
  /**
   * SIGTERM (an orchestrator's stop): /ready turns 503 while requests are still served for
   * SHUTDOWN_DELAY_MS, so balancers stop routing here; then the server stops accepting
   * connections, closes idle ones, finishes queued work within SHUTDOWN_GRACE_MS and exits.
   * SIGINT (Ctrl-C) skips the delay: nobody routes to a terminal.
   */
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    const delayMs = signal === 'SIGTERM' ? config.SHUTDOWN_DELAY_MS : 0;
    logger.log(
      `${signal} received: draining (readiness off for ${delayMs} ms, then grace ${config.SHUTDOWN_GRACE_MS} ms)`,
    );
    app.get(ServerDrain).begin();
    // A hard stop in case a connection keeps the server open past the grace period.
    setTimeout(() => process.exit(0), delayMs + config.SHUTDOWN_GRACE_MS + 5000).unref();
    sleep(delayMs)
      .then(() => app.close())
      .then(
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
