import { inspectJsonText } from './json-body.parser';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe(inspectJsonText.name, () => {
  it('accepts ordinary bodies', () => {
    expect(inspectJsonText('{"text":"hello","top_k":3}', 16)).toBeUndefined();
    expect(inspectJsonText('{"texts":["a","b"]}', 2)).toBeUndefined();
  });

  it('allows exactly the maximum depth and refuses one more', () => {
    expect(inspectJsonText(nested(16), 16)).toBeUndefined();
    expect(inspectJsonText(nested(17), 16)).toBe(
      'JSON body must not be nested deeper than 16 levels',
    );
  });

  it('refuses deep nesting even when the text is unterminated', () => {
    expect(inspectJsonText('{"a":'.repeat(100_000), 16)).toMatch(/nested deeper than 16/);
  });

  it('does not count brackets inside strings', () => {
    expect(inspectJsonText(`{"text":"${'[{'.repeat(100)}"}`, 2)).toBeUndefined();
    expect(inspectJsonText('{"text":"quote \\" then [[[[["}', 2)).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s at any depth', (key) => {
    const message = `JSON body must not contain the key "${key}"`;
    expect(inspectJsonText(`{"${key}":{}}`, 16)).toBe(message);
    expect(inspectJsonText(`{"texts":[{"a":{"${key}" : 1}}]}`, 16)).toBe(message);
  });

  it('refuses prototype keys written with escapes', () => {
    expect(inspectJsonText('{"\\u005f_proto__":{}}', 16)).toBe(
      'JSON body must not contain the key "__proto__"',
    );
    const escaped = [...'constructor'].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join('');
    expect(inspectJsonText(`{"${escaped}":{}}`, 16)).toBe(
      'JSON body must not contain the key "constructor"',
    );
  });

  it('lets the same words through as values', () => {
    expect(
      inspectJsonText('{"text":"__proto__","texts":["constructor","prototype"]}', 16),
    ).toBeUndefined();
  });

  it('leaves malformed text to the parser', () => {
    expect(inspectJsonText('{"text": "unterminated', 16)).toBeUndefined();
    expect(inspectJsonText('{"\\u12":1}', 16)).toBeUndefined();
  });
});
