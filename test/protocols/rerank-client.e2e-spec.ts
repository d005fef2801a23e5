import { CohereClient, CohereError } from 'cohere-ai';
import { join } from 'node:path';
import { writeCrossEncoder } from '../fixtures/cross-encoder';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const QUERY = 'What is the capital of the United States?';
const DOCUMENTS = [
  'Carson City is the capital city of the American state of Nevada.',
  'The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean.',
  'Washington, D.C. is the capital of the United States. It is a federal district.',
  'Capital punishment has existed in the United States since before it was a country.',
];

interface V1Response {
  results: { index: number; relevance_score: number }[];
}

describe("Cohere's SDK (cohere-ai) against POST /v1/rerank", () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;
  let client: CohereClient;

  beforeAll(async () => {
    writeCrossEncoder(join(sandbox.dir, 'rerank-one'), { labels: ['LABEL_0'], seed: 21 });
    sut = await startTestApp({ MODELS_DIR: sandbox.dir, MODELS: 'rerank-one' }, { listen: true });
    // An empty token sends no Authorization header, as for a self-hosted deployment; no
    // retries, so a refused request fails at once.
    client = new CohereClient({ token: '', baseUrl: sut.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  it('reads the ranking Sift answers: indices, scores, top_n and documents', async () => {
    const expected = (
      await postJson(sut, '/v1/rerank', { query: QUERY, documents: DOCUMENTS })
    ).json<V1Response>().results;

    const answer = await client.rerank({
      model: 'rerank-one',
      query: QUERY,
      documents: DOCUMENTS.map((text) => ({ text })),
      topN: 2,
      returnDocuments: true,
    });
    expect(answer.results).toEqual(
      expected.slice(0, 2).map(({ index, relevance_score: score }) => ({
        index,
        relevanceScore: score,
        document: { text: DOCUMENTS[index] },
      })),
    );
  });

  it('sends plain-string documents and the default model when none is named', async () => {
    const answer = await client.rerank({ query: QUERY, documents: DOCUMENTS });
    expect(answer.results.map((result) => result.index).sort()).toEqual([0, 1, 2, 3]);
    for (const result of answer.results) expect(result.document).toBeUndefined();
  });

  it('surfaces a refusal as the SDK error with Sift’s status and message', async () => {
    const refusal = client.rerank({ model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS });
    await expect(refusal).rejects.toBeInstanceOf(CohereError);
    await expect(refusal).rejects.toMatchObject({
      statusCode: 404,
      body: { message: expect.stringContaining('Unknown model "rerank-v3.5"') },
    });
  });
});
