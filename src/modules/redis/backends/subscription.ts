import type { ChannelListeners, Subscription } from './redis-backend';

/** How a backend subscribes one channel (SUBSCRIBE, or SSUBSCRIBE in a cluster). */
export type SubscribeOne = (
  channel: string,
  listener: (message: string) => void,
) => Promise<unknown>;

/** A connection of the subscription's own (node-redis' client, or its cluster client). */
export interface SubscriberConnection {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): void;
}

/**
 * Subscribes every channel once `ready` resolves, without waiting for it (start-up never waits
 * for Redis); a failure is reported to `lost` like any other loss of the subscription.
 */
export function subscribeInBackground(
  ready: Promise<unknown>,
  listeners: ChannelListeners,
  subscribeOne: SubscribeOne,
  lost: (error: Error) => void,
): void {
  ready
    .then(() =>
      Promise.all(
        Object.entries(listeners).map(([channel, listener]) => subscribeOne(channel, listener)),
      ),
    )
    .catch((error: Error) => lost(error));
}

/**
 * A subscription on a connection of its own (subscribed connections take no other commands):
 * connects it, subscribes in the background, and on close runs `onClose`, then releases it.
 */
export function dedicatedSubscription(
  subscriber: SubscriberConnection,
  listeners: ChannelListeners,
  subscribeOne: SubscribeOne,
  lost: (error: Error) => void,
  onClose: () => void = () => undefined,
): Subscription {
  subscribeInBackground(subscriber.connect(), listeners, subscribeOne, lost);
  return {
    close: async () => {
      onClose();
      try {
        if (subscriber.isOpen) await subscriber.close();
      } catch {
        subscriber.destroy(); // already broken: nothing left to close cleanly
      }
    },
  };
}
