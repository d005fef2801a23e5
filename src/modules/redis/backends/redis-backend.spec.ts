import { parseNodeList } from './redis-backend';

describe(parseNodeList.name, () => {
  it('reads plain host:port entries as plain TCP without credentials', () => {
    expect(parseNodeList(['127.0.0.1:7000', 'redis-b:7001'])).toEqual({
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      tls: false,
      username: undefined,
      password: undefined,
    });
  });

  it("applies the first entry's scheme and decoded credentials to every node", () => {
    const sut = parseNodeList(['rediss://sift:p%40ss@10.0.0.1:6379', '10.0.0.2:6379']);

    expect(sut.tls).toBe(true);
    expect(sut.username).toBe('sift');
    expect(sut.password).toBe('p@ss');
    expect(sut.nodes).toEqual([
      { host: '10.0.0.1', port: 6379 },
      { host: '10.0.0.2', port: 6379 },
    ]);
  });
});
