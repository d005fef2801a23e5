import { startTestApp } from '../helpers/test-app';

describe('queue bounds and request timeouts', () => {
  it('answers 503 with Retry-After when the queue is full, and queues nothing of that request', async () => {
    const sut = await startTestApp({ MAX_QUEUE_TEXTS: '3' });
    try {
      const response = await sut.inject({
        method: 'POST',
        url: '/classify/batch',
        payload: { texts: ['one', 'two', 'three', 'four'] },
      });
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.json()).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(/queue .* full/),
      });
      expect(sut.inference.resolveModel('spam-en').batcher.stats().queueDepth).toBe(0);

      const fits = await sut.inject({
        method: 'POST',
        url: '/classify/batch',
        payload: { texts: ['a', 'b', 'c'] },
      });
      expect(fits.statusCode).toBe(200);
    } finally {
      await sut.close();
    }
  });

  it('answers 504 past REQUEST_TIMEOUT_MS and drops the texts that had not started', async () => {
    // A transformer on 512-token texts, one per run, against a 1 ms budget: no machine runs
    // 32 of them in time, so the test does not depend on this one's speed.
    const sut = await startTestApp({
      MODELS: 'bert-bench',
      REQUEST_TIMEOUT_MS: '1',
      MAX_BATCH_SIZE: '1',
    });
    try {
      const long = Array.from({ length: 600 }, (_, i) => `token${i}`).join(' ');
      const texts = Array.from({ length: 32 }, (_, i) => `${i} ${long}`);
      const response = await sut.inject({
        method: 'POST',
        url: '/classify/batch',
        payload: { texts },
      });
      expect(response.statusCode).toBe(504);
      expect(response.json().message).toMatch(/did not finish within 1 ms/);

      await sut.inference.drain(60_000);
      const stats = sut.inference.resolveModel('bert-bench').batcher.stats();
      expect(stats.queueDepth).toBe(0);
      expect(stats.textsRun).toBeLessThan(texts.length);
    } finally {
      await sut.close();
    }
  });
});
