import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { plainClassifyBody } from './classify-fast-path';
import { ClassifyRequestDto } from './dto/classify-request.dto';

/**
 * What the app's global ValidationPipe decides (app.module.ts uses these options), then
 * TextRulesPipe's first rule: an empty text is refused there, not by the DTO.
 */
function dtoAccepts(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const instance = plainToInstance(ClassifyRequestDto, body);
  const valid =
    validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
    }).length === 0;
  return valid && (body as { text: string }).text !== '';
}

const ABSENT = Symbol('absent');
const TEXTS: unknown[] = ['hello there', 'x', '', 42, null, ['a'], { a: 1 }];
const MODELS: unknown[] = [
  ABSENT,
  'spam-en',
  'lang.id_2',
  'bad name',
  '-x',
  '',
  'a'.repeat(101),
  7,
  null,
];
const VERSIONS: unknown[] = [ABSENT, 'latest', 'b4d77e86788f', 'v'.repeat(65), '', 3, null];
const TOP_KS: unknown[] = [ABSENT, 1, 2, 10000, 0, -1, 10001, 2.5, '3', null, Number.NaN];
const EXTRAS: Record<string, unknown>[] = [{}, { texts: ['a'] }, { unknown: true }];

function* bodies(): Generator<unknown> {
  for (const text of TEXTS)
    for (const model of MODELS)
      for (const version of VERSIONS)
        for (const topK of TOP_KS)
          for (const extra of EXTRAS) {
            const body: Record<string, unknown> = { text, ...extra };
            if (model !== ABSENT) body.model = model;
            if (version !== ABSENT) body.model_version = version;
            if (topK !== ABSENT) body.top_k = topK;
            yield body;
          }
  yield* [null, 'text', 42, [], [{ text: 'a' }], {}];
}

describe('plainClassifyBody (classify fast path)', () => {
  it('takes exactly the bodies ClassifyRequestDto accepts, except those with nulls', () => {
    let taken = 0;
    let checked = 0;
    for (const body of bodies()) {
      checked++;
      const fast = plainClassifyBody(body) !== undefined;
      const hasNull =
        typeof body === 'object' && body !== null && Object.values(body).includes(null);
      // Taking a refused body would answer what validation should have refused; refusing a
      // valid one only costs the long way, which the null case takes on purpose.
      const expected = dtoAccepts(body) && !hasNull;
      if (fast !== expected) {
        throw new Error(`fast path ${fast ? 'took' : 'refused'} ${JSON.stringify(body)}`);
      }
      if (fast) taken++;
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(taken).toBe(96);
  });

  it('reads the fields a plain body carries', () => {
    expect(
      plainClassifyBody({ text: 'hi', model: 'spam-en', model_version: 'latest', top_k: 1 }),
    ).toEqual({
      text: 'hi',
      model: 'spam-en',
      modelVersion: 'latest',
      topK: 1,
    });
    expect(plainClassifyBody({ text: 'hi' })).toEqual({ text: 'hi' });
  });

  it('leaves bodies with nulls to the full validation, even where the DTO allows them', () => {
    expect(dtoAccepts({ text: 'hi', model: null })).toBe(true);
    expect(plainClassifyBody({ text: 'hi', model: null })).toBeUndefined();
  });
});
