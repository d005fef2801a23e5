import type { SubscriptionHooks } from './redis-backend';

const POLL_MS = 250;

/**
 * For subscriptions whose client has no "subscribed again" event (cluster, sentinel): after a
 * loss, polls the connection until it is back, then reports the subscription restored (the
 * client resubscribes on reconnection by itself).
 */
export function watchRestore(connected: () => boolean, hooks: SubscriptionHooks) {
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  const lost = (error: Error): void => {
    hooks.lost(error);
    if (timer !== undefined) return;
    timer = setInterval(() => {
      if (!connected()) return;
      stop();
      hooks.restored();
    }, POLL_MS);
    timer.unref();
  };
  return { lost, stop };
}
