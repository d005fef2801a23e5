import { InferenceClient } from '@huggingface/inference';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const HAM = 'Hi Tom, are we still meeting for lunch on Thursday? I can bring the project notes.';
const SPAM =
  'CONGRATULATIONS! You have been selected to receive a FREE $1000 gift card. Click here now to claim your prize!!!';

interface LabelScore {
  label: string;
  score: number;
}

describe('Hugging Face Inference API routes', () => {
  let sut: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'spam-en,lang-id' }, { listen: true });
    baseUrl = sut.baseUrl ?? '';
  });

  afterAll(async () => {
    await sut.close();
  });

  async function classifyScores(text: string, model?: string): Promise<Record<string, number>> {
    const response = await postJson(sut, '/classify', { text, model, top_k: 1000 });
    return response.json<{ scores: Record<string, number> }>().scores;
  }

  function expectSameAsClassify(answer: LabelScore[], scores: Record<string, number>): void {
    expect(answer.map((entry) => entry.label).sort()).toEqual(Object.keys(scores).sort());
    for (const entry of answer)
      expect(Math.abs(entry.score - scores[entry.label])).toBeLessThan(1e-6);
  }

  it.each([
    ['the root URL (default model)', '', 'spam-en'],
    ['/models/spam-en', '/models/spam-en', 'spam-en'],
    ['/models/lang-id', '/models/lang-id', 'lang-id'],
  ])(
    'gives the real @huggingface/inference client /classify answers from %s',
    async (_, path, model) => {
      const client = new InferenceClient(undefined, { endpointUrl: `${baseUrl}${path}` });
      for (const text of [HAM, SPAM]) {
        const answer = await client.textClassification({ inputs: text });
        // top_k above the label count: /classify lists every label, as the client gets them.
        expectSameAsClassify(answer, await classifyScores(text, model));
      }
    },
  );

  it('surfaces errors to the client as the API does: {error} with the status', async () => {
    const client = new InferenceClient(undefined, { endpointUrl: `${baseUrl}/models/nope` });
    await expect(client.textClassification({ inputs: HAM })).rejects.toThrow(
      /Unknown model "nope"/,
    );
    const response = await postJson(sut, '/models/nope', { inputs: HAM });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: expect.stringContaining('Unknown model "nope"') });
  });

  it('always nests: one inner list per input, highest score first', async () => {
    const one = await postJson(sut, '/', { inputs: SPAM });
    expect(one.statusCode).toBe(200);
    const [single] = one.json<LabelScore[][]>();
    expectSameAsClassify(single, await classifyScores(SPAM));
    expect(single[0].score).toBeGreaterThanOrEqual(single[1].score);
    const many = await postJson(sut, '/', { inputs: [HAM, SPAM] });
    const lists = many.json<LabelScore[][]>();
    expect(lists).toHaveLength(2);
    expectSameAsClassify(lists[0], await classifyScores(HAM));
  });

  it('keeps the top_k most probable labels', async () => {
    const response = await postJson(sut, '/models/lang-id', {
      inputs: 'Wie spät ist es?',
      parameters: { top_k: 3 },
    });
    const [list] = response.json<LabelScore[][]>();
    expect(list).toHaveLength(3);
    expect(list[0].label).toBe('de');
  });

  it('applies function_to_apply to the logits: none, sigmoid and softmax', async () => {
    const [raw] = (
      await postJson(sut, '/', { inputs: SPAM, parameters: { function_to_apply: 'none' } })
    ).json<LabelScore[][]>();
    const [sigmoid] = (
      await postJson(sut, '/', { inputs: SPAM, parameters: { function_to_apply: 'sigmoid' } })
    ).json<LabelScore[][]>();
    const [softmax] = (
      await postJson(sut, '/', { inputs: SPAM, parameters: { function_to_apply: 'softmax' } })
    ).json<LabelScore[][]>();
    const logit = new Map(raw.map((entry) => [entry.label, entry.score]));
    for (const entry of sigmoid) {
      expect(entry.score).toBeCloseTo(1 / (1 + Math.exp(-(logit.get(entry.label) ?? 0))), 6);
    }
    expectSameAsClassify(softmax, await classifyScores(SPAM));
  });

  it.each([
    ['no inputs', {}],
    ['a number', { inputs: 3 }],
    ['an empty list', { inputs: [] }],
    ['a bad top_k', { inputs: 'a', parameters: { top_k: 0 } }],
    ['an unknown function_to_apply', { inputs: 'a', parameters: { function_to_apply: 'relu' } }],
    ['a blank text', { inputs: '  ' }],
  ])('refuses %s with 400 {error}', async (_, body) => {
    const response = await postJson(sut, '/', body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });
});
