import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const HAM = 'Hi Tom, are we still meeting for lunch on Thursday? I can bring the project notes.';
const SPAM =
  'CONGRATULATIONS! You have been selected to receive a FREE $1000 gift card. Click here now to claim your prize!!!';

interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  data: (number | string)[];
}

/** A `$request_input` for the text tensor, built as the spec's examples build theirs. */
function textInput(texts: readonly string[], shape: number[] = [texts.length]) {
  return { name: 'text', shape, datatype: 'BYTES', data: [...texts] };
}

describe('Open Inference Protocol (KServe V2) REST routes', () => {
  let sut: TestApp;
  let version: string;
  let classified: { prediction: number[]; label: string }[];

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'spam-en,lang-id' });
    version = sut.inference.resolveModel('spam-en').version;
    classified = (await postJson(sut, '/classify/batch', { texts: [HAM, SPAM] })).json().results;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('GET /v2 names the server, its version and the classification extension', async () => {
    const response = await sut.inject({ method: 'GET', url: '/v2' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      name: 'sift',
      version: '0.1.0',
      extensions: ['classification'],
    });
  });

  it.each(['/v2/health/live', '/v2/health/ready', '/v2/models/spam-en/ready'])(
    'GET %s answers 200 with an empty body once models are loaded',
    async (url) => {
      const response = await sut.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
    },
  );

  it('answers model readiness for the served version and 404 for another', async () => {
    const served = await sut.inject({
      method: 'GET',
      url: `/v2/models/spam-en/versions/${version}/ready`,
    });
    expect(served.statusCode).toBe(200);
    const other = await sut.inject({ method: 'GET', url: '/v2/models/spam-en/versions/0/ready' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: expect.stringContaining('no version "0"') });
  });

  it('describes a model: its version, BYTES text inputs and both outputs', async () => {
    const expected = {
      name: 'spam-en',
      versions: [version],
      platform: 'onnxruntime_onnx',
      // spam-en runs a tokenizer.json, so it takes an optional second text too.
      inputs: [
        { name: 'text', datatype: 'BYTES', shape: [-1] },
        { name: 'text_pair', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
    };
    const plain = await sut.inject({ method: 'GET', url: '/v2/models/spam-en' });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toEqual(expected);
    const versioned = await sut.inject({
      method: 'GET',
      url: `/v2/models/spam-en/versions/${version}`,
    });
    expect(versioned.json()).toEqual(expected);
  });

  it('lists no text_pair input for a model that takes single texts only', async () => {
    const response = await sut.inject({ method: 'GET', url: '/v2/models/lang-id' });
    expect(response.json().inputs).toEqual([{ name: 'text', datatype: 'BYTES', shape: [-1] }]);
  });

  it.each([
    ['an unknown model', '/v2/models/nope', 'Unknown model "nope"'],
    ['an unknown version', '/v2/models/spam-en/versions/abc', 'no version "abc"'],
  ])('answers %s with 404 {error}', async (_, url, message) => {
    const response = await sut.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: expect.stringContaining(message) });
  });

  it('infers: echoes the id, FP32 probabilities [n, labels] and BYTES labels [n]', async () => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', {
      id: '42',
      inputs: [textInput([HAM, SPAM])],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ model_name: 'spam-en', model_version: version, id: '42' });
    const [probabilities, label] = body.outputs as V2Output[];
    expect(probabilities).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [2, 2] });
    const expected = classified.flatMap((result) => result.prediction);
    probabilities.data.forEach((value, index) =>
      expect(Math.abs((value as number) - expected[index])).toBeLessThan(1e-6),
    );
    expect(label).toEqual({
      name: 'label',
      datatype: 'BYTES',
      shape: [2],
      data: classified.map((result) => result.label),
    });
  });

  it('omits the id when the request has none', async () => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [textInput([HAM])],
    });
    expect(response.json()).not.toHaveProperty('id');
  });

  it('accepts nested data and a [n, 1] shape, row-major as the spec allows', async () => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [{ name: 'text', shape: [2, 1], datatype: 'BYTES', data: [[HAM], [SPAM]] }],
      outputs: [{ name: 'label' }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [2], data: classified.map((r) => r.label) },
    ]);
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [textInput([SPAM])],
      outputs: [{ name: 'label' }, { name: 'probabilities' }],
    });
    expect((response.json().outputs as V2Output[]).map((output) => output.name)).toEqual([
      'label',
      'probabilities',
    ]);
  });

  it('answers Triton classification (k) as "score:index:label" BYTES, top k per text', async () => {
    const response = await postJson(sut, '/v2/models/lang-id/infer', {
      inputs: [textInput(['Bonjour, comment allez-vous ?', 'Wie spät ist es?'])],
      outputs: [{ name: 'probabilities', parameters: { classification: 3 } }],
    });
    expect(response.statusCode).toBe(200);
    const [output] = response.json().outputs as V2Output[];
    expect(output).toMatchObject({ name: 'probabilities', datatype: 'BYTES', shape: [2, 3] });
    const parsed = (output.data as string[]).map((entry) => {
      const [score, index, label] = entry.split(':');
      return { score: Number(score), index: Number(index), label };
    });
    const labels = sut.inference.resolveModel('lang-id').config.labels;
    for (const entry of parsed) expect(labels[entry.index]).toBe(entry.label);
    expect(parsed[0].label).toBe('fr');
    expect(parsed[3].label).toBe('de');
    // Each row is sorted by score, highest first.
    for (const row of [parsed.slice(0, 3), parsed.slice(3)]) {
      expect(row.map((entry) => entry.score)).toEqual(
        [...row.map((entry) => entry.score)].sort((a, b) => b - a),
      );
    }
  });

  it('caps classification k at the number of labels', async () => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [textInput([SPAM])],
      outputs: [{ name: 'probabilities', parameters: { classification: 5 } }],
    });
    expect(response.json().outputs[0].shape).toEqual([1, 2]);
  });

  it('infers on an explicit version and refuses one that does not exist with 404', async () => {
    const served = await postJson(sut, `/v2/models/spam-en/versions/${version}/infer`, {
      inputs: [textInput([HAM])],
    });
    expect(served.statusCode).toBe(200);
    expect(served.json().model_version).toBe(version);
    const missing = await postJson(sut, '/v2/models/spam-en/versions/v9/infer', {
      inputs: [textInput([HAM])],
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: expect.stringContaining('no version "v9"') });
  });

  it.each([
    ['no inputs', { inputs: [] }, 'inputs'],
    ['an unknown input', { inputs: [{ ...textInput([HAM]), name: 'x' }] }, 'unknown input "x"'],
    ['a non-BYTES input', { inputs: [{ ...textInput([HAM]), datatype: 'FP32' }] }, 'BYTES'],
    ['a shape that does not match the data', { inputs: [textInput([HAM], [3])] }, 'shape [3]'],
    ['a non-string element', { inputs: [{ ...textInput([HAM]), data: [7] }] }, 'data[0]'],
    [
      'an unknown output',
      { inputs: [textInput([HAM])], outputs: [{ name: 'logits' }] },
      'unknown output "logits"',
    ],
    [
      'a bad classification count',
      {
        inputs: [textInput([HAM])],
        outputs: [{ name: 'probabilities', parameters: { classification: 0 } }],
      },
      'classification',
    ],
    ['an empty text', { inputs: [textInput(['  '])] }, 'must not be empty'],
  ])('refuses %s with 400 {error}', async (_, body, message) => {
    const response = await postJson(sut, '/v2/models/spam-en/infer', body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.stringContaining(message) });
  });

  it('applies MAX_BATCH_ITEMS and MAX_TEXT_CHARS per text, in its own error shape', async () => {
    const items = sut.config.MAX_BATCH_ITEMS;
    const tooMany = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [textInput(Array.from({ length: items + 1 }, (_, i) => `text ${i}`))],
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error).toContain(`at most ${items} items`);
    const tooLong = await postJson(sut, '/v2/models/spam-en/infer', {
      inputs: [textInput(['x'.repeat(sut.config.MAX_TEXT_CHARS + 1)])],
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error).toContain(`at most ${sut.config.MAX_TEXT_CHARS} characters`);
  });

  it('answers malformed JSON in its own shape', async () => {
    const response = await sut.inject({
      method: 'POST',
      url: '/v2/models/spam-en/infer',
      headers: { 'content-type': 'application/json' },
      payload: '{"inputs": [',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: expect.any(String) });
  });
});

describe('Open Inference Protocol health while shutting down', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
    // What SIGTERM starts: no new work, readiness turns false.
    await sut.inference.drain(1000);
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers readiness false as the spec says (4xx, empty body) while liveness stays true', async () => {
    for (const url of ['/v2/health/ready', '/v2/models/spam-en/ready']) {
      const response = await sut.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(400);
      expect(response.body).toBe('');
    }
    expect((await sut.inject({ method: 'GET', url: '/v2/health/live' })).statusCode).toBe(200);
  });
});
