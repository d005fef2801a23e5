import { ENV_VARIABLES } from './env.schema';
import { ConfigError, loadConfig } from './load-config';

describe(loadConfig.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.PORT).toBe(8000);
    expect(sut.MODELS_DIR).toBe('./models');
    expect(sut.EXECUTION_PROVIDERS).toEqual(['cpu']);
    expect(sut.MAX_BATCH_SIZE).toBe(32);
    expect(sut.MAX_BATCH_TOKENS).toBeUndefined();
    expect(sut.MAX_QUEUE_TEXTS).toBe(4096);
    expect(sut.REQUEST_TIMEOUT_MS).toBe(30000);
    expect(sut.REDIS_URL).toBeUndefined();
    expect(sut.TRUST_PROXY).toBe(false);
    expect(sut.HF_HUB_ETAG_TIMEOUT).toBe(10);
    expect(sut.HF_HUB_DOWNLOAD_TIMEOUT).toBe(10);
  });

  it('parses lists, numbers and booleans', () => {
    const sut = loadConfig({
      EXECUTION_PROVIDERS: 'cuda, cpu',
      MAX_BATCH_SIZE: '8',
      TRUST_PROXY: 'true',
    });
    expect(sut.EXECUTION_PROVIDERS).toEqual(['cuda', 'cpu']);
    expect(sut.MAX_BATCH_SIZE).toBe(8);
    expect(sut.TRUST_PROXY).toBe(true);
  });

  it('treats empty strings as unset', () => {
    const sut = loadConfig({ PORT: '', REDIS_URL: '  ' });
    expect(sut.PORT).toBe(8000);
    expect(sut.REDIS_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['MAX_BATCH_SIZE', '0'],
    ['EXECUTION_PROVIDERS', 'tpu'],
    ['TRUST_PROXY', 'maybe'],
    ['REDIS_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['HF_HUB_ETAG_TIMEOUT', '0'],
    ['HF_HUB_DOWNLOAD_TIMEOUT', 'soon'],
  ])('names %s when its value %j is invalid', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`${variable}: .*${value}`));
  });

  it('lists every variable for the deployment checks', () => {
    expect(ENV_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'MODELS_DIR', 'REDIS_URL']));
  });
});
