import type { Explanation } from '../../src/modules/classification/explanation/explanation.types';
import { copyLangIdWithMultiLabelTwin, ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

interface Result {
  readonly label: string;
  readonly prediction: number[];
  readonly explanation?: Explanation;
}

const GERMAN = 'Der schnelle braune Fuchs springt über den faulen Hund';

describe('explanations of every kind of model', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    sandbox.copyShipped('spam-en');
    copyLangIdWithMultiLabelTwin(sandbox);
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'spam-en,lang-id,lang-multi',
      CACHE_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  async function classify(body: object): Promise<Result> {
    const response = await postJson(sut, '/classify', body);
    expect(response.statusCode).toBe(200);
    return response.json<Result>();
  }

  /** Each weight against `/classify` of the text without the word; `prediction` has every label. */
  async function expectDefinition(body: { text: string; model: string }): Promise<Result> {
    const result = await classify({ ...body, explain: true });
    const explanation = result.explanation as Explanation;
    const labels = sut.inference.resolveModel(body.model).config.labels;
    const index = labels.indexOf(explanation.label);
    expect(explanation.words).toHaveLength(body.text.split(' ').length);
    for (const word of explanation.words) {
      const text = body.text.slice(0, word.start) + body.text.slice(word.end);
      const other = await classify({ ...body, text });
      const expected = result.prediction[index] - other.prediction[index];
      expect(Math.abs(word.weight - expected)).toBeLessThan(1e-4);
    }
    return result;
  }

  it('explains lang-id through its fastText preprocessor, empty input included', async () => {
    const result = await expectDefinition({ text: GERMAN, model: 'lang-id' });
    expect(result.explanation?.label).toBe(result.label);
    const one = await classify({ text: 'Fuchs', model: 'lang-id', explain: true });
    const model = sut.inference.resolveModel('lang-id');
    const [empty] = await sut.inference.predict(model, ['']);
    const index = model.config.labels.indexOf(one.label);
    const [word] = one.explanation?.words ?? [];
    expect(word).toMatchObject({ text: 'Fuchs', start: 0, end: 5 });
    expect(
      Math.abs(word.weight - (one.prediction[index] - empty.probabilities[index])),
    ).toBeLessThan(1e-4);
  });

  it('explains the top label of a multi-label model', async () => {
    const result = await expectDefinition({ text: GERMAN, model: 'lang-multi' });
    const top = result.prediction.indexOf(Math.max(...result.prediction));
    const labels = sut.inference.resolveModel('lang-multi').config.labels;
    expect(result.explanation?.label).toBe(labels[top]);
  });

  it('explains the first text of a text pair, the second kept', async () => {
    const body = { text: 'FREE cruise, click here', text_pair: 'lunch at noon?', model: 'spam-en' };
    const result = await classify({ ...body, explain: true });
    const index = sut.inference.resolveModel('spam-en').config.labels.indexOf(result.label);
    for (const word of result.explanation?.words ?? []) {
      const text = body.text.slice(0, word.start) + body.text.slice(word.end);
      const other = await classify({ ...body, text });
      expect(
        Math.abs(word.weight - (result.prediction[index] - other.prediction[index])),
      ).toBeLessThan(1e-4);
    }
    expect(result.explanation?.words).toHaveLength(4);
  });
});
