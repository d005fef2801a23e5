/** Narrowing helpers for parsed YAML/JSON, so specs read fields without casts. */
export type PlainObject = Record<string, unknown>;

export function isObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): PlainObject {
  if (!isObject(value))
    throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number')
    throw new Error(`${what}: expected a number, got ${JSON.stringify(value)}`);
  return value;
}

/** Follows a dotted path through nested mappings: `at(doc, 'spec.template.spec')`. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}
