import { DefaultModelNotServedError } from '../inference.errors';

export interface DefaultModelSettings {
  /** DEFAULT_MODEL: when set, it must be served. */
  readonly requested: string | undefined;
  /** Used when DEFAULT_MODEL is unset and this model is served (see env.schema.ts). */
  readonly preferred: string;
}

/**
 * The model a request that names none gets. DEFAULT_MODEL when set, or loading fails rather
 * than answer with a model the operator did not choose; unset, the preferred model when it is
 * served, else the first served model (`served` is in MODELS order, or by name when MODELS is
 * empty). Undefined only when nothing is served.
 */
export function chooseDefaultModel(
  served: readonly string[],
  settings: DefaultModelSettings,
): string | undefined {
  const { requested, preferred } = settings;
  if (requested !== undefined) {
    if (!served.includes(requested)) throw new DefaultModelNotServedError(requested, served);
    return requested;
  }
  return served.includes(preferred) ? preferred : served[0];
}
