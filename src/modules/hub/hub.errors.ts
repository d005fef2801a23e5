/**
 * A Hub model that cannot be served, in one line that says what to do: start-up stops with it.
 */
export class HubModelError extends Error {
  override readonly name = 'HubModelError';
}

/** The Hub cannot be reached (refused, unresolved, reset): the cache may still serve. */
export class HubUnreachableError extends Error {
  override readonly name = 'HubUnreachableError';
}
