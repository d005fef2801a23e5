import { isPredictionKey, modelKeyPrefix, predictionKey, prefixPattern } from './prediction-key';

const scope = { name: 'spam-en', version: '3f9c1a2b7d4e', maxSequenceLength: 128 };

describe(predictionKey.name, () => {
  it('names model and version, then a sha256 of the text', () => {
    expect(predictionKey(scope, 'hello')).toMatch(/^sift:spam-en:3f9c1a2b7d4e:[0-9a-f]{64}$/);
  });

  it('is stable for the same text and settings', () => {
    expect(predictionKey(scope, 'hello')).toBe(predictionKey({ ...scope }, 'hello'));
  });

  it('differs by text, by model version and by maximum sequence length', () => {
    const base = predictionKey(scope, 'hello');
    expect(predictionKey(scope, 'hello!')).not.toBe(base);
    expect(predictionKey({ ...scope, version: '000000000000' }, 'hello')).not.toBe(base);
    expect(predictionKey({ ...scope, maxSequenceLength: 64 }, 'hello')).not.toBe(base);
  });

  it('keys a text pair by both texts and where they split, apart from any single text', () => {
    const pair = predictionKey(scope, { text: 'ab', pair: 'c' });
    expect(pair).toBe(predictionKey(scope, { text: 'ab', pair: 'c' }));
    expect(pair).not.toBe(predictionKey(scope, { text: 'a', pair: 'bc' }));
    expect(pair).not.toBe(predictionKey(scope, { text: 'c', pair: 'ab' }));
    expect(pair).not.toBe(predictionKey(scope, 'abc'));
    expect(pair).not.toBe(predictionKey(scope, 'p:2:abc'));
    expect(isPredictionKey(pair)).toBe(true);
  });

  it('starts with the prefixes invalidation matches on', () => {
    const key = predictionKey(scope, 'hello');
    expect(key.startsWith(modelKeyPrefix('spam-en'))).toBe(true);
    expect(key.startsWith(modelKeyPrefix('spam-en', '3f9c1a2b7d4e'))).toBe(true);
    expect(key.startsWith(modelKeyPrefix('spam'))).toBe(false);
  });
});

describe(prefixPattern.name, () => {
  it('matches everything under the prefix', () => {
    expect(prefixPattern('sift:spam-en:')).toBe('sift:spam-en:*');
  });

  it('escapes glob characters so they match literally', () => {
    expect(prefixPattern('sift:a*b?[c]\\:')).toBe('sift:a\\*b\\?\\[c\\]\\\\:*');
  });
});

describe(isPredictionKey.name, () => {
  it('accepts the keys predictionKey makes', () => {
    expect(isPredictionKey(predictionKey(scope, 'hello'))).toBe(true);
  });

  it('accepts the keys of a variant served as <folder>@<dtype>', () => {
    expect(isPredictionKey(predictionKey({ ...scope, name: 'spam-en@q8' }, 'hello'))).toBe(true);
  });

  it.each([
    ['a rate-limit counter', `sift:rate-limit:{${'a'.repeat(64)}}:hits`],
    ['a short digest', 'sift:spam-en:3f9c1a2b7d4e:abc'],
    ['another namespace', `other:spam-en:3f9c1a2b7d4e:${'a'.repeat(64)}`],
  ])('rejects %s', (_, key) => {
    expect(isPredictionKey(key)).toBe(false);
  });
});
