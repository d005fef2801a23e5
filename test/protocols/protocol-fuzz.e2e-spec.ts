import { SeededRandom } from '../../tools/common/seeded-random';
import { naughtyStrings } from '../security/fuzz-cases';
import { startTestApp, type TestApp } from '../helpers/test-app';

const BODIES_PER_ROUTE = 400;

/** Each protocol route with the keys its error body must have. */
const ROUTES: readonly { readonly url: string; readonly errorKeys: readonly string[] }[] = [
  { url: '/', errorKeys: ['error'] },
  { url: '/models/spam-en', errorKeys: ['error'] },
  { url: '/predict', errorKeys: ['error', 'error_type'] },
  { url: '/models/spam-en/tokenize', errorKeys: ['error', 'error_type'] },
  { url: '/v2/models/spam-en/infer', errorKeys: ['error'] },
  { url: '/rerank', errorKeys: ['error', 'error_type'] },
  { url: '/v1/rerank', errorKeys: ['message'] },
];

/** Field names any of the protocols reads, and some they do not. */
const KEYS = [
  'inputs',
  'parameters',
  'outputs',
  'id',
  'truncate',
  'raw_scores',
  'add_special_tokens',
  'name',
  'datatype',
  'shape',
  'data',
  'text',
  'text_pair',
  'top_k',
  'function_to_apply',
  'classification',
  'query',
  'texts',
  'documents',
  'top_n',
  'return_documents',
  'return_text',
  'model',
];

class BodyGenerator {
  constructor(
    private readonly random: SeededRandom,
    private readonly strings: readonly string[],
  ) {}

  value(depth: number): unknown {
    const kind = this.random.int(depth > 3 ? 6 : 9);
    switch (kind) {
      case 0:
        return this.strings[this.random.int(this.strings.length)];
      case 1:
        return ['text', 'BYTES', 'FP32', 'probabilities', 'label', 'softmax', ''][
          this.random.int(7)
        ];
      case 2:
        return [0, 1, -1, 2.5, 1e308, 3][this.random.int(6)];
      case 3:
        return this.random.next() < 0.5;
      case 4:
        return null;
      case 5:
        return 'win a free cruise';
      case 6:
      case 7:
        return Array.from({ length: this.random.int(4) }, () => this.value(depth + 1));
      default:
        return this.object(depth + 1);
    }
  }

  object(depth: number): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (let i = this.random.int(4) + 1; i > 0; i--) {
      body[KEYS[this.random.int(KEYS.length)]] = this.value(depth);
    }
    return body;
  }
}

describe('protocol routes under generated bodies', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'spam-en', CONTENT_FILTER: 'true' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(ROUTES)('$url never answers 5xx, and refuses in its own error shape', async (route) => {
    const generate = new BodyGenerator(new SeededRandom(7), naughtyStrings());
    let refused = 0;
    for (let i = 0; i < BODIES_PER_ROUTE; i++) {
      const body = generate.object(0);
      const response = await sut.inject({ method: 'POST', url: route.url, payload: body });
      const context = `${JSON.stringify(body).slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 200)}`;
      if (response.statusCode >= 500) throw new Error(`server error for ${context}`);
      if (response.statusCode >= 400) {
        refused++;
        const keys = Object.keys(response.json<Record<string, unknown>>()).sort();
        if (keys.join() !== [...route.errorKeys].sort().join()) {
          throw new Error(`wrong error shape for ${context}`);
        }
      }
    }
    // Most generated bodies are wrong; the generator must not have produced only valid ones.
    expect(refused).toBeGreaterThan(BODIES_PER_ROUTE / 2);
  });
});
