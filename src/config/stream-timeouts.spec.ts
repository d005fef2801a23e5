import { ConfigError, loadConfig } from './load-config';

describe('stream timeouts against the socket silence limit', () => {
  it('accepts the defaults, and any wait when silent sockets are never closed', () => {
    expect(loadConfig({}).STREAM_IDLE_TIMEOUT_MS).toBe(30000);
    expect(
      loadConfig({ HTTP_CONNECTION_TIMEOUT_MS: '0', STREAM_IDLE_TIMEOUT_MS: '600000' })
        .STREAM_IDLE_TIMEOUT_MS,
    ).toBe(600000);
  });

  it.each(['STREAM_IDLE_TIMEOUT_MS', 'STREAM_RATE_LIMIT_WAIT_MS'])(
    'fails start-up when %s is not below HTTP_CONNECTION_TIMEOUT_MS',
    (variable) => {
      const check = () => loadConfig({ HTTP_CONNECTION_TIMEOUT_MS: '20000', [variable]: '20000' });
      expect(check).toThrow(ConfigError);
      expect(check).toThrow(
        `${variable}: must be below HTTP_CONNECTION_TIMEOUT_MS (20000), which closes a silent socket without an error line`,
      );
    },
  );
});
