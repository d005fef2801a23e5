import { join } from 'node:path';
import { writeCrossEncoder } from '../fixtures/cross-encoder';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';
import { encodeInline } from '../../src/modules/inference';

const QUERY = 'When does the train to the airport leave?';
const PASSAGES = [
  'The airport train leaves every fifteen minutes from platform two.',
  'Our bakery sells fresh bread and cakes every morning.',
  'Trains to the airport run from five in the morning until midnight.',
  'The museum is closed on Mondays.',
  'Tickets for the airport express can be bought on board.',
];
const TOLERANCE = 1e-6;

interface TeiRank {
  index: number;
  score: number;
  text?: string;
}

interface V1Response {
  model: string;
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage: { total_tokens: number };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('rerank routes (TEI /rerank, Cohere and Jina /v1/rerank)', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    writeCrossEncoder(join(sandbox.dir, 'rerank-one'), { labels: ['LABEL_0'], seed: 11 });
    writeCrossEncoder(join(sandbox.dir, 'rerank-two'), {
      labels: ['irrelevant', 'relevant'],
      seed: 12,
    });
    writeCrossEncoder(join(sandbox.dir, 'rerank-first'), {
      labels: ['relevant', 'irrelevant'],
      seed: 12,
      siftJson: { rerank_label: 'relevant' },
    });
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'rerank-one,rerank-two,rerank-first',
      DEFAULT_MODEL: 'rerank-one',
    });
  });

  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  /** What /classify answers for (QUERY, passage): the probabilities, label by label. */
  async function classified(model: string, passage: string): Promise<number[]> {
    const response = await postJson(sut, '/classify', { text: QUERY, text_pair: passage, model });
    expect(response.statusCode).toBe(200);
    return response.json<{ prediction: number[] }>().prediction;
  }

  /** TEI /predict's logits for (QUERY, passage), by label. */
  async function logits(model: string, passage: string): Promise<Map<string, number>> {
    const response = await postJson(sut, `/models/${model}/predict`, {
      inputs: [QUERY, passage],
      raw_scores: true,
    });
    expect(response.statusCode).toBe(200);
    return new Map(
      response.json<{ label: string; score: number }[]>().map((e) => [e.label, e.score]),
    );
  }

  function expectSortedPermutation(indices: number[], scores: number[], count: number): void {
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The random-weight models still tell these passages apart, so the order is a real test.
    expect(new Set(scores).size).toBe(count);
  }

  it('serves a one-logit model: /classify answers the sigmoid of its logit, not a softmax of 1', async () => {
    for (const passage of PASSAGES) {
      const [probability] = await classified('rerank-one', passage);
      const logit = (await logits('rerank-one', passage)).get('LABEL_0') ?? NaN;
      expect(Math.abs(probability - sigmoid(logit))).toBeLessThan(TOLERANCE);
      expect(probability).toBeLessThan(1);
    }
  });

  it('POST /rerank ranks every text on the default one-logit model by /classify’s probability', async () => {
    const response = await postJson(sut, '/rerank', { query: QUERY, texts: PASSAGES });
    expect(response.statusCode).toBe(200);
    const ranks = response.json<TeiRank[]>();
    expectSortedPermutation(
      ranks.map((r) => r.index),
      ranks.map((r) => r.score),
      PASSAGES.length,
    );
    for (const rank of ranks) {
      expect(Object.keys(rank).sort()).toEqual(['index', 'score']);
      const [probability] = await classified('rerank-one', PASSAGES[rank.index]);
      expect(Math.abs(rank.score - probability)).toBeLessThan(TOLERANCE);
    }
  });

  it('POST /models/{name}/rerank scores a two-label model by its last label, or its logit with raw_scores', async () => {
    const url = '/models/rerank-two/rerank';
    const ranks = (await postJson(sut, url, { query: QUERY, texts: PASSAGES })).json<TeiRank[]>();
    const raw = (
      await postJson(sut, url, { query: QUERY, texts: PASSAGES, raw_scores: true })
    ).json<TeiRank[]>();
    for (const list of [ranks, raw]) {
      expectSortedPermutation(
        list.map((r) => r.index),
        list.map((r) => r.score),
        PASSAGES.length,
      );
    }
    for (const rank of ranks) {
      const [, relevant] = await classified('rerank-two', PASSAGES[rank.index]);
      expect(Math.abs(rank.score - relevant)).toBeLessThan(TOLERANCE);
    }
    // A softmax over two labels need not keep one logit's order: raw answers rank by the logit.
    for (const rank of raw) {
      const logit = (await logits('rerank-two', PASSAGES[rank.index])).get('relevant') ?? NaN;
      expect(Math.abs(rank.score - logit)).toBeLessThan(TOLERANCE);
    }
  });

  it('scores by the label sift.json rerank_label names', async () => {
    const ranks = (
      await postJson(sut, '/models/rerank-first/rerank', { query: QUERY, texts: PASSAGES })
    ).json<TeiRank[]>();
    for (const rank of ranks) {
      const [relevant] = await classified('rerank-first', PASSAGES[rank.index]);
      expect(Math.abs(rank.score - relevant)).toBeLessThan(TOLERANCE);
    }
  });

  it('adds each text with return_text: true', async () => {
    const ranks = (
      await postJson(sut, '/rerank', { query: QUERY, texts: PASSAGES, return_text: true })
    ).json<TeiRank[]>();
    for (const rank of ranks) expect(rank.text).toBe(PASSAGES[rank.index]);
  });

  it('POST /v1/rerank answers Cohere’s and Jina’s shape with the scores TEI’s route gives', async () => {
    const tei = (
      await postJson(sut, '/models/rerank-two/rerank', { query: QUERY, texts: PASSAGES })
    ).json<TeiRank[]>();
    const response = await postJson(sut, '/v1/rerank', {
      model: 'rerank-two',
      query: QUERY,
      // Jina and Cohere both take a string or a {text} object per document.
      documents: PASSAGES.map((text, i) => (i % 2 === 0 ? text : { text, id: `doc-${i}` })),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<V1Response>();
    expect(Object.keys(body).sort()).toEqual(['model', 'results', 'usage']);
    expect(body.model).toBe('rerank-two');
    expect(body.results).toEqual(
      tei.map((rank) => ({ index: rank.index, relevance_score: rank.score })),
    );
    const preprocessor = sut.inference.resolveModel('rerank-two').preprocessor;
    const pairs = PASSAGES.map((pair) => ({ text: QUERY, pair }));
    const encoded = await encodeInline(preprocessor, pairs);
    const tokens = encoded.reduce((sum, item) => sum + item.ids.length, 0);
    expect(body.usage).toEqual({ total_tokens: tokens });
  });

  it('cuts /v1/rerank to top_n, adds documents with return_documents, and uses the default model without model', async () => {
    const all = (
      await postJson(sut, '/v1/rerank', { query: QUERY, documents: PASSAGES })
    ).json<V1Response>();
    expect(all.model).toBe('rerank-one');
    expect(all.results).toHaveLength(PASSAGES.length);
    const top = (
      await postJson(sut, '/v1/rerank', {
        query: QUERY,
        documents: PASSAGES,
        top_n: 2,
        return_documents: true,
      })
    ).json<V1Response>();
    expect(top.results).toEqual(
      all.results.slice(0, 2).map((result) => ({
        ...result,
        document: { text: PASSAGES[result.index] },
      })),
    );
    const more = await postJson(sut, '/v1/rerank', {
      query: QUERY,
      documents: PASSAGES,
      top_n: 50,
    });
    expect(more.json<V1Response>().results).toEqual(all.results);
  });

  it('shares the cache with /classify: a reranked pair is a cache hit there', async () => {
    const passage = 'A passage reranked before it is classified.';
    expect((await postJson(sut, '/rerank', { query: QUERY, texts: [passage] })).statusCode).toBe(
      200,
    );
    const again = await postJson(sut, '/classify', {
      text: QUERY,
      text_pair: passage,
      model: 'rerank-one',
    });
    expect(again.json<{ cached: boolean }>().cached).toBe(true);
  });
});
