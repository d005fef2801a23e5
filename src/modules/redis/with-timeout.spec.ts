import { RedisTimeoutError, withTimeout } from './with-timeout';

describe(withTimeout.name, () => {
  it('settles with the work when it finishes in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, 'work')).resolves.toBe(42);
  });

  it('passes the work failure through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, 'work')).rejects.toThrow(
      'boom',
    );
  });

  it('rejects with a timeout error when the work never settles', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withTimeout(never, 5, 'Redis MGET')).rejects.toBeInstanceOf(RedisTimeoutError);
  });
});
