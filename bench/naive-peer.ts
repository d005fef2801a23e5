/**
 * Reference 2, run as a child process: what a Node developer would write instead of Sift —
 * a Fastify route calling a transformers.js text-classification pipeline once per request
 * (no batching, no cache), on the same model folder.
 *
 *   tsx bench/naive-peer.ts --model-dir /abs/models/bert-bench --port 8001
 */
import { env, pipeline } from '@huggingface/transformers';
import Fastify from 'fastify';
import { isAbsolute, resolve } from 'node:path';
import { peerArgs, runPeer } from './peer-process';

interface ClassifyBody {
  readonly text: string;
}

async function main(): Promise<void> {
  const { modelDir, port } = peerArgs('naive-peer.ts');
  // Offline: transformers.js reads onnx/model.onnx from the folder, never the Hub.
  env.allowRemoteModels = false;
  const classifier = await pipeline(
    'text-classification',
    isAbsolute(modelDir) ? modelDir : resolve(modelDir),
    { device: 'cpu', dtype: 'fp32' },
  );

  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.get('/ready', () => ({ status: 'ok' }));
  app.post<{ Body: ClassifyBody }>(
    '/classify',
    {
      schema: {
        body: {
          type: 'object',
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (request) => {
      const scores = await classifier(request.body.text, { top_k: null });
      return { scores };
    },
  );
  await app.listen({ port, host: '127.0.0.1' });
}

runPeer(main);
