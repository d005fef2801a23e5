import { modelDtypeSetting } from './model-dtype';

describe('modelDtypeSetting', () => {
  it.each([
    ['q8', { default: 'q8', byModel: {} }],
    ['spam-en:q8', { default: 'fp32', byModel: { 'spam-en': 'q8' } }],
    [
      ' q8 , spam-en:fp32,bert-bench:q8',
      { default: 'q8', byModel: { 'spam-en': 'fp32', 'bert-bench': 'q8' } },
    ],
  ])('reads %j', (value, expected) => {
    expect(modelDtypeSetting.parse(value)).toEqual(expected);
  });

  it.each([
    ['int4', /"int4" is not <dtype> or <model>:<dtype>/],
    ['spam-en:q4', /"spam-en:q4" is not/],
    [':q8', /":q8" is not/],
    ['q8,fp32', /default dtype twice/],
    ['a:q8,a:fp32', /model "a" twice/],
  ])('rejects %j', (value, message) => {
    const result = modelDtypeSetting.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(message);
  });
});
