import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InferenceService } from '../inference';
import { ServerDrain } from './server-drain';

/** Up once every model is loaded and warmed; down while loading, after a failure, and while draining. */
@Injectable()
export class ModelsIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly inference: InferenceService,
    private readonly drain: ServerDrain,
  ) {}

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const names = this.inference.listModels().map((model) => model.name);
    if (this.drain.draining || this.inference.isShuttingDown())
      return session.down({ reason: 'shutting_down', names });
    const failure = this.inference.loadError();
    if (failure !== undefined)
      return session.down({ reason: 'failed', message: failure.message, names });
    if (!this.inference.isReady()) return session.down({ reason: 'loading', names });
    return session.up({ names });
  }
}
