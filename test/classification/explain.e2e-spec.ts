import { jest } from '@jest/globals';
import type { Explanation } from '../../src/modules/classification/explanation/explanation.types';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

interface Result {
  readonly label: string;
  readonly scores: Record<string, number>;
  readonly cached: boolean;
  readonly explanation?: Explanation;
}

const SPAM = 'Hi Anna, WIN a FREE iPhone now!!! Click here to claim your prize: reply YES';
const ACCENTED =
  'Félicitations 🎉 vous avez gagné un iPhone GRATUIT 👉 répondez « oui » maintenant';

async function classify(sut: TestApp, body: object): Promise<Result> {
  const response = await postJson(sut, '/classify', body);
  expect(response.statusCode).toBe(200);
  return response.json<Result>();
}

/** Checks an explanation word by word against what `/classify` answers for each shorter text. */
async function expectDefinition(sut: TestApp, text: string, model?: string): Promise<void> {
  const result = await classify(sut, { text, model, explain: true });
  const explanation = result.explanation as Explanation;
  expect(explanation.label).toBe(result.label);
  expect(explanation.method).toBe('occlusion');
  expect(explanation.words.map((word) => word.text)).toEqual(text.split(/\s+/).filter(Boolean));
  for (const word of explanation.words) {
    expect(text.slice(word.start, word.end)).toBe(word.text);
    const shorter = text.slice(0, word.start) + text.slice(word.end);
    const other = await classify(sut, { text: shorter, model });
    const expected = result.scores[result.label] - other.scores[result.label];
    expect(Math.abs(word.weight - expected)).toBeLessThan(1e-4);
  }
}

describe('POST /classify with "explain": true', () => {
  describe('without a cache', () => {
    let sut: TestApp;

    beforeAll(async () => {
      // No cache: every shorter text /classify answers below is run again, on its own.
      sut = await startTestApp({ CACHE_ENABLED: 'false', EXPLAIN_MAX_WORDS: '16' });
    });

    afterAll(async () => {
      await sut.close();
    });

    it('weighs each word as p(label | text) − p(label | text without it)', async () => {
      await expectDefinition(sut, SPAM);
    });

    it('gives UTF-16 offsets on texts with emoji and accents', async () => {
      await expectDefinition(sut, ACCENTED);
      const { explanation } = await classify(sut, { text: ACCENTED, explain: true });
      const party = explanation?.words[1];
      expect(party).toEqual({ text: '🎉', start: 14, end: 16, weight: expect.any(Number) });
    });

    it("compares a one-word text with the model's answer for an empty input", async () => {
      const result = await classify(sut, { text: 'FREE!!!', explain: true });
      const model = sut.inference.resolveModel();
      const [empty] = await sut.inference.predict(model, ['']);
      const index = model.config.labels.indexOf(result.label);
      const [word] = result.explanation?.words ?? [];
      expect(word).toMatchObject({ text: 'FREE!!!', start: 0, end: 7 });
      const expected = result.scores[result.label] - empty.probabilities[index];
      expect(Math.abs(word.weight - expected)).toBeLessThan(1e-4);
    });

    it('ranks the words of a spam text that make it spam first', async () => {
      // Half ham, half spam: a text so spammy that any one word changes little would rank noise.
      const text = 'Hi Anna, see you at lunch tomorrow? You won a FREE cruise, click here to claim';
      const { label, explanation } = await classify(sut, { text, explain: true });
      expect(label).toBe('spam');
      const words = explanation?.words ?? [];
      const ranked = [...words].sort((a, b) => b.weight - a.weight);
      expect(ranked.slice(0, 3).map((word) => word.text)).toEqual(['click', 'FREE', 'claim']);
      expect(ranked[0].weight).toBeGreaterThan(0.1);
      // The lunch half pushes against spam.
      for (const ham of ['Anna,', 'see', 'lunch']) {
        expect(words.find((word) => word.text === ham)?.weight).toBeLessThan(0);
      }
    });

    it('refuses a text of more than EXPLAIN_MAX_WORDS words with a 422 that says the limit', async () => {
      const text = Array.from({ length: 17 }, (_, i) => `word${i}`).join(' ');
      const response = await postJson(sut, '/classify', { text, explain: true });
      expect(response.statusCode).toBe(422);
      expect(response.json<{ message: string }>().message).toBe(
        'text has 17 words; an explanation takes at most 16 (EXPLAIN_MAX_WORDS)',
      );
      const plain = await postJson(sut, '/classify', { text });
      expect(plain.statusCode).toBe(200);
    });

    it('explains every text of a batch as /classify explains it alone', async () => {
      const texts = [SPAM, 'See you at lunch?'];
      const response = await postJson(sut, '/classify/batch', { texts, explain: true });
      expect(response.statusCode).toBe(200);
      const { results } = response.json<{ results: Result[] }>();
      for (const [index, text] of texts.entries()) {
        const alone = await classify(sut, { text, explain: true });
        const words = results[index].explanation?.words ?? [];
        expect(words.map((word) => word.text)).toEqual(
          alone.explanation?.words.map((word) => word.text),
        );
        words.forEach((word, i) =>
          expect(Math.abs(word.weight - (alone.explanation?.words[i].weight ?? NaN))).toBeLessThan(
            1e-4,
          ),
        );
      }
    });

    it('counts a batch of explanations against MAX_BATCH_ITEMS, each text as words + 1', async () => {
      // 16 words + 1 = 17 items each: two fit the budget of max(64, 16 + 1), four do not.
      const text = Array.from({ length: 16 }, (_, i) => `w${i}`).join(' ');
      const fits = await postJson(sut, '/classify/batch', { texts: [text, text], explain: true });
      expect(fits.statusCode).toBe(200);
      const over = await postJson(sut, '/classify/batch', {
        texts: [text, text, text, text],
        explain: true,
      });
      expect(over.statusCode).toBe(400);
      expect(over.json<{ message: string }>().message).toBe(
        'texts with "explain" must contain at most 64 items, each text counting its words + 1 (got 68)',
      );
    });

    it('keeps the text rules for what users send, though a variant may be blank', async () => {
      const blank = await postJson(sut, '/classify', { text: '   ', explain: true });
      expect(blank.statusCode).toBe(400);
      expect(blank.json<{ message: string }>().message).toBe('text must not be empty');
      const script = await postJson(sut, '/classify', { text: 'see <script> now', explain: true });
      expect(script.statusCode).toBe(422);
      expect(script.json<{ message: string }>().message).toBe(
        'Potentially malicious content detected in text',
      );
    });

    it('leaves results without "explain" as they were', async () => {
      const result = await classify(sut, { text: SPAM });
      expect(result).not.toHaveProperty('explanation');
      const refused = await postJson(sut, '/classify', { text: SPAM, explain: 'yes' });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ message: string }>().message).toContain('explain must be a boolean');
    });
  });

  describe('with the cache and the rate limit', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ RATE_LIMIT: '100', RATE_LIMIT_WINDOW_SECONDS: '3600' });
    });

    afterAll(async () => {
      await sut.close();
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('counts an explanation as words + 1 requests', async () => {
      const remaining = async (body: object, url = '/classify') =>
        Number((await postJson(sut, url, body)).headers['ratelimit-remaining']);
      const before = await remaining({ text: 'rate limit baseline' });
      // 15 words: 16 hits.
      expect(await remaining({ text: SPAM, explain: true })).toBe(before - 16);
      // A batch: (15 + 1) + (4 + 1) hits; without explanations, one.
      const texts = [SPAM, 'See you at lunch?'];
      expect(await remaining({ texts, explain: true }, '/classify/batch')).toBe(before - 16 - 21);
      expect(await remaining({ texts }, '/classify/batch')).toBe(before - 16 - 21 - 1);
    });

    it('serves a repeated explanation from the cache, without running the model', async () => {
      const text = 'Claim your FREE prize today, winner';
      const first = await classify(sut, { text, explain: true });
      expect(first.cached).toBe(false);
      const predict = jest.spyOn(sut.inference, 'predict');
      const second = await classify(sut, { text, explain: true });
      expect(predict).not.toHaveBeenCalled();
      expect(second.cached).toBe(true);
      expect(second.explanation).toEqual(first.explanation);
    });
  });
});
