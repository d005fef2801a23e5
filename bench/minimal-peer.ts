/**
 * Reference 4, run as a child process: the least a server can do per request — Node's own
 * `http`, the same Rust tokenizer Sift runs, one ONNX Runtime session, `JSON.stringify` — with
 * none of Sift's features (no validation beyond a string check, no limits, cache, batching,
 * metrics, logs or security headers). Its rate at concurrency 1 is what one request costs at
 * the least; Sift's rate against it is the price of everything Sift adds.
 *
 *   tsx bench/minimal-peer.ts --model-dir /abs/models/spam-en --port 8003
 */
import { Tokenizer } from '@anush008/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { peerArgs, runPeer } from './peer-process';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
}

async function main(): Promise<void> {
  const { modelDir, port } = peerArgs('minimal-peer.ts');
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
    id2label: Record<string, string>;
  };
  const labels = Object.keys(config.id2label)
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => config.id2label[id]);
  const tokenizer = Tokenizer.fromFile(join(modelDir, 'tokenizer.json'));
  tokenizer.setTruncation(512);
  const session = await InferenceSession.create(join(modelDir, 'onnx', 'model.onnx'));

  const classify = async (text: string): Promise<object> => {
    const ids = (await tokenizer.encode(text)).getIds();
    const shape = [1, ids.length];
    const feeds: Record<string, Tensor> = {};
    const column = (fill: (i: number) => number) =>
      new Tensor(
        'int64',
        BigInt64Array.from(ids, (_, i) => BigInt(fill(i))),
        shape,
      );
    for (const name of session.inputNames) {
      if (name === 'input_ids') feeds[name] = column((i) => ids[i]);
      else if (name === 'attention_mask') feeds[name] = column(() => 1);
      else feeds[name] = column(() => 0);
    }
    const output = await session.run(feeds);
    const probabilities = softmax(output[session.outputNames[0]].data as Float32Array);
    const best = probabilities.indexOf(Math.max(...probabilities));
    return { label: labels[best], score: probabilities[best], prediction: probabilities };
  };

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'GET' && request.url === '/ready') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const body = JSON.parse(await readBody(request)) as { text?: unknown };
    if (typeof body.text !== 'string') {
      response.writeHead(400).end();
      return;
    }
    const answer = JSON.stringify(await classify(body.text));
    response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
  };
  const server = createServer((request, response) => {
    serve(request, response).catch(() => response.writeHead(500).end());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1');
}

runPeer(main);
