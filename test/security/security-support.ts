import type { InjectOptions, Response as InjectResponse } from 'light-my-request';
import type { TestApp } from '../helpers/test-app';

export { DisposableRedis, freePort, waitFor } from '../helpers/processes';

/** Every refusal, whatever produced it, must look like this. */
export function expectUniformError(response: InjectResponse): void {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json()).toEqual(
    expect.objectContaining({
      statusCode: response.statusCode,
      error: expect.any(String),
      message: expect.stringMatching(/\S/),
      requestId: expect.stringMatching(/\S/),
    }),
  );
}

export function classifyFrom(
  sut: TestApp,
  remoteAddress: string,
  extra: Partial<InjectOptions> = {},
): Promise<InjectResponse> {
  return sut.inject({
    method: 'POST',
    url: '/classify',
    payload: { text: 'limited offer, click here' },
    remoteAddress,
    ...extra,
  });
}
