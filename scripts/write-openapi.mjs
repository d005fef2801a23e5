// Writes docs/openapi.json: the document the built app serves at GET /openapi.json.
// test/docs/openapi.e2e-spec.ts fails when the committed file differs from the app's.
// Usage: npm run openapi (builds dist/ first when the sources are newer).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { createApp } = require('../dist/app.factory.js');
const { loadConfig } = require('../dist/config/index.js');

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}docs/openapi.json`;
// The document depends only on the code, not on the models; load the smallest one.
const app = await createApp(
  loadConfig({ MODELS_DIR: `${root}models`, MODELS: 'spam-en', LOG_LEVEL: 'silent' }),
);
try {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (response.statusCode !== 200) {
    throw new Error(`GET /openapi.json answered ${response.statusCode}: ${response.body}`);
  }
  writeFileSync(target, `${JSON.stringify(JSON.parse(response.body), null, 2)}\n`);
  console.log(`[sift] wrote ${target}`);
} finally {
  await app.close();
}
