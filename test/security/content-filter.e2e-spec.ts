import { startTestApp, type TestApp } from '../helpers/test-app';
import { expectUniformError } from './security-support';

/** Spam and phishing that a spam model exists to score, but the filter's patterns match. */
const FILTERED_SPAM = [
  'Your account is locked: <script>verify()</script>',
  'Claim your prize at javascript:void(window.location="http://x.example")',
  'Open the invoice: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'Click <a href="data:,hello">here</a>',
];

function classify(sut: TestApp, text: string) {
  return sut.inject({ method: 'POST', url: '/classify', payload: { text } });
}

describe('the content filter (CONTENT_FILTER, on by default)', () => {
  let filtered: TestApp;
  let unfiltered: TestApp;

  beforeAll(async () => {
    [filtered, unfiltered] = await Promise.all([
      startTestApp({}),
      startTestApp({ CONTENT_FILTER: 'false' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([filtered?.close(), unfiltered?.close()]);
  });

  it.each(FILTERED_SPAM)('refuses %j with a 422 while on', async (text) => {
    const response = await classify(filtered, text);
    expect(response.statusCode).toBe(422);
    expectUniformError(response);
    expect(response.json().message).toBe('Potentially malicious content detected in text');
  });

  it('lets ordinary prose that mentions data through', async () => {
    const response = await classify(
      filtered,
      'Update your billing data: reply with your card number',
    );
    expect(response.statusCode).toBe(200);
  });

  it('names the offending item of a batch', async () => {
    const response = await filtered.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts: ['fine', FILTERED_SPAM[0]] },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toBe('Potentially malicious content detected in texts[1]');
  });

  it.each(FILTERED_SPAM)('lets a spam deployment classify %j once turned off', async (text) => {
    const response = await classify(unfiltered, text);
    expect(response.statusCode).toBe(200);
    expect(response.json().label).toEqual(expect.any(String));
  });
});
