import { z } from 'zod';

/** One `MODEL_ID` entry: a Hub repository, the revision to serve, and the name requests use. */
export interface HubModelRef {
  /** The served name: the entry's `name=`, else the repository's name (after the slash). */
  readonly name: string;
  /** `org/repo`, as the Hub spells it. */
  readonly repo: string;
  /** A branch, tag or commit; `main` when the entry names none. */
  readonly revision: string;
}

// The Hub's own rules for owner and repository names, and the served-name rule of
// MODEL_NAME_PATTERN (kept here because config must not import a feature module).
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Reads one `[name=]org/repo[@revision]` entry, or says what is wrong with it. */
export function parseHubModelRef(entry: string): HubModelRef | string {
  const [named, spec] = entry.includes('=') ? entry.split(/=(.*)/s, 2) : [undefined, entry];
  const at = spec.indexOf('@');
  const repo = at === -1 ? spec : spec.slice(0, at);
  const revision = at === -1 ? 'main' : spec.slice(at + 1);
  if (!REPO.test(repo)) return `"${entry}" is not [name=]org/repo[@revision]`;
  if (revision === '') return `"${entry}" has an empty revision after @`;
  const name = named ?? repo.split('/')[1];
  if (!NAME.test(name)) {
    return `"${entry}": served name "${name}" must be letters, digits, ".", "_" or "-"`;
  }
  return { name, repo, revision };
}

/** `MODEL_ID`: comma-separated `[name=]org/repo[@revision]` entries, each served by one name. */
export const hubModelIds = z.string().transform((value, ctx): HubModelRef[] => {
  const refs: HubModelRef[] = [];
  for (const entry of value.split(',').map((item) => item.trim())) {
    if (entry === '') continue;
    const ref = parseHubModelRef(entry);
    if (typeof ref === 'string') {
      ctx.addIssue({ code: 'custom', message: ref });
      return z.NEVER;
    }
    if (refs.some((other) => other.name === ref.name)) {
      ctx.addIssue({ code: 'custom', message: `serves two models as "${ref.name}"; add name=` });
      return z.NEVER;
    }
    refs.push(ref);
  }
  return refs;
});
