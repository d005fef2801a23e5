import { classifyBatchCost, classifyCost } from './explanation-cost';

describe(classifyCost.name, () => {
  it('counts an explained text as its words + 1', () => {
    expect(classifyCost({ text: 'win a FREE cruise', explain: true })).toBe(5);
  });

  it.each([
    { text: 'win a FREE cruise' },
    { text: 'win a FREE cruise', explain: false },
    { text: 42, explain: true },
    null,
    'text',
    [1, 2],
  ])('counts anything else as 1: %j', (body) => {
    expect(classifyCost(body)).toBe(1);
  });
});

describe(classifyBatchCost.name, () => {
  it('sums words + 1 over the texts of an explained batch, a non-text counting 1', () => {
    expect(classifyBatchCost({ texts: ['a b', 'c', 7], explain: true })).toBe(3 + 2 + 1);
  });

  it.each([
    { texts: ['a b', 'c'] },
    { texts: 'a b c', explain: true },
    { texts: [], explain: true },
    undefined,
  ])('counts a batch without explanations once: %j', (body) => {
    expect(classifyBatchCost(body)).toBe(1);
  });
});
