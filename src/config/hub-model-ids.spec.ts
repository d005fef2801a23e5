import { hubModelIds, parseHubModelRef } from './hub-model-ids';

describe(parseHubModelRef.name, () => {
  it.each([
    ['acme/spam-mini', { name: 'spam-mini', repo: 'acme/spam-mini', revision: 'main' }],
    ['acme/spam-mini@v1.0', { name: 'spam-mini', repo: 'acme/spam-mini', revision: 'v1.0' }],
    ['spam=acme/spam-mini@0123abc', { name: 'spam', repo: 'acme/spam-mini', revision: '0123abc' }],
  ])('reads %j', (entry, expected) => {
    expect(parseHubModelRef(entry)).toEqual(expected);
  });

  it.each([
    ['spam-mini', /is not \[name=\]org\/repo/],
    ['acme/spam-mini@', /empty revision/],
    ['a b=acme/spam-mini', /served name "a b"/],
  ])('rejects %j', (entry, message) => {
    expect(parseHubModelRef(entry)).toMatch(message);
  });
});

describe('hubModelIds', () => {
  it('reads a list and refuses two entries served by one name', () => {
    expect(hubModelIds.parse(' acme/a , b=acme/a@v2 ')).toHaveLength(2);
    const twice = hubModelIds.safeParse('acme/a,other/a');
    expect(twice.error?.issues[0].message).toMatch(/two models as "a"/);
  });
});
