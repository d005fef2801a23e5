import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

interface ListedModel {
  readonly name: string;
  readonly max_sequence_length: number;
}

describe("sift.json's max_sequence_length against the model's own limit", () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    // spam-en's tokenizer_config.json says model_max_length 512.
    sandbox.copyShipped('spam-en', 'over-long');
    sandbox.write('over-long', 'sift.json', JSON.stringify({ max_sequence_length: 2048 }));
    sandbox.copyShipped('spam-en', 'shorter');
    sandbox.write('shorter', 'sift.json', JSON.stringify({ max_sequence_length: 256 }));
    // lang-id has no model_max_length: its limit is its own setting. A folder made before
    // sift.json held it says so in config.json's sift block, which still loads.
    sandbox.copyShipped('lang-id');
    sandbox.copyShipped('lang-id', 'lang-old');
    sandbox.remove('lang-old', 'sift.json');
    setOldMaxLength('lang-old', 4096);
    sandbox.copyShipped('lang-id', 'lang-both');
    setOldMaxLength('lang-both', 4096);
    sandbox.write('lang-both', 'sift.json', JSON.stringify({ max_sequence_length: 1024 }));
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'over-long,shorter,lang-id,lang-old,lang-both',
    });
  });
  function setOldMaxLength(model: string, maxLength: number): void {
    sandbox.editJson(model, 'config.json', (config) => {
      config.sift = { ...(config.sift as object), max_length: maxLength };
    });
  }

  afterAll(async () => {
    await sut?.close();
    sandbox.dispose();
  });

  it("caps a setting over the model's limit at that limit, and keeps one under it", async () => {
    const models = (await sut.inject({ method: 'GET', url: '/models' })).json<{
      models: ListedModel[];
    }>().models;
    const limits = Object.fromEntries(models.map((m) => [m.name, m.max_sequence_length]));
    expect(limits).toMatchObject({ 'over-long': 512, shorter: 256 });
  });

  it("reads a model's own limit from sift.json, before config.json's older sift.max_length", async () => {
    const models = (await sut.inject({ method: 'GET', url: '/models' })).json<{
      models: ListedModel[];
    }>().models;
    const limits = Object.fromEntries(models.map((m) => [m.name, m.max_sequence_length]));
    expect(limits).toMatchObject({ 'lang-id': 65536, 'lang-old': 4096, 'lang-both': 1024 });
  });

  it('truncates a text longer than the capped limit', async () => {
    const text = Array.from({ length: 700 }, (_, i) => `word${i % 50}`).join(' ');
    const response = await postJson(sut, '/classify', { text, model: 'over-long' });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ truncated: boolean }>().truncated).toBe(true);
  });
});
