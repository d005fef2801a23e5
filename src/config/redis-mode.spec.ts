import { ConfigError, loadConfig } from './load-config';

describe('Redis mode settings', () => {
  it('reads a cluster from its seed nodes', () => {
    const sut = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' });

    expect(sut.REDIS_CLUSTER_NODES).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
    expect(sut.REDIS_URL).toBeUndefined();
  });

  it('takes a URL with credentials as the first node only', () => {
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: 'rediss://sift:secret@10.0.0.1:6379,10.0.0.2:6379' })
        .REDIS_CLUSTER_NODES,
    ).toHaveLength(2);
    expect(() =>
      loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379,rediss://sift:secret@10.0.0.2:6379' }),
    ).toThrow(/^Invalid environment variables: REDIS_CLUSTER_NODES: entries must be host:port/);
  });

  it.each([
    [{ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: '127.0.0.1:26379' }],
  ])('fails start-up naming both variables of conflicting modes (%j)', (env) => {
    const [first, second] = Object.keys(env);
    const check = () => loadConfig({ REDIS_SENTINEL_MASTER: 'mymaster', ...env });

    expect(check).toThrow(ConfigError);
    expect(check).toThrow(/choose one way to reach Redis/);
    for (const variable of [first, second]) expect(check).toThrow(new RegExp(variable));
  });

  it('needs the master name with sentinels, and sentinels for the name', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379' })).toThrow(
      /REDIS_SENTINEL_MASTER: is required with REDIS_SENTINELS/,
    );
    expect(() => loadConfig({ REDIS_SENTINEL_MASTER: 'mymaster' })).toThrow(
      /REDIS_SENTINEL_MASTER: needs REDIS_SENTINELS/,
    );
  });

  it('refuses a client certificate without its key', () => {
    expect(() => loadConfig({ REDIS_TLS_CERT_FILE: '/etc/sift/client.pem' })).toThrow(
      /REDIS_TLS_CERT_FILE: mutual TLS needs/,
    );
  });
});
