import { Injectable } from '@nestjs/common';

/**
 * The first phase of shutdown, before the HTTP server closes: `/ready` answers 503 so load
 * balancers stop routing here, while requests that still arrive are served normally, each
 * answer with `Connection: close` so keep-alive clients reconnect through the balancer to
 * another replica. main.ts starts it on SIGTERM and closes the app SHUTDOWN_DELAY_MS later.
 */
@Injectable()
export class ServerDrain {
  private started = false;

  begin(): void {
    this.started = true;
  }

  get draining(): boolean {
    return this.started;
  }
}
