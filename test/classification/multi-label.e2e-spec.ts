import { copyLangIdWithMultiLabelTwin, ModelsSandbox } from '../fixtures/model-fixtures';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('multi-label models', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    // lang-id's logits are log-probabilities, so a sigmoid over them has a known closed form.
    copyLangIdWithMultiLabelTwin(sandbox);
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'lang-id,lang-multi',
      CACHE_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  it('applies a sigmoid per label instead of a softmax over labels', async () => {
    const text = 'Der schnelle braune Fuchs springt über den faulen Hund';
    const classify = async (model: string) =>
      (await sut.inject({ method: 'POST', url: '/classify', payload: { text, model } })).json();
    const single = await classify('lang-id');
    const multi = await classify('lang-multi');

    const probabilities = single.prediction as number[];
    const sigmoids = multi.prediction as number[];
    expect(sigmoids).toHaveLength(probabilities.length);
    // sigmoid(log p) = p / (1 + p), label by label.
    probabilities.forEach((p, i) => expect(Math.abs(sigmoids[i] - p / (1 + p))).toBeLessThan(1e-6));
    expect(sigmoids.reduce((sum, value) => sum + value, 0)).toBeLessThan(0.9);
    expect(multi.label).toBe(single.label);
  });
});
