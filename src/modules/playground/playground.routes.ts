import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The CSP for pages (http-security.ts) covers `/` and this prefix.
const PLAYGROUND_ASSET_PREFIX = '/playground/';

const ASSETS = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  {
    url: `${PLAYGROUND_ASSET_PREFIX}playground.css`,
    file: 'playground.css',
    type: 'text/css; charset=utf-8',
  },
  {
    url: `${PLAYGROUND_ASSET_PREFIX}playground.js`,
    file: 'playground.js',
    type: 'text/javascript; charset=utf-8',
  },
] as const;

/**
 * `nest build` copies the assets beside the compiled file (nest-cli.json); runs from the
 * TypeScript sources as ES modules (the test suite) have no `__dirname` and read them from
 * src/ under the working directory, which is the repository root there.
 */
function assetsDir(): string {
  return typeof __dirname === 'string'
    ? join(__dirname, 'assets')
    : resolve('src', 'modules', 'playground', 'assets');
}

/**
 * Serves the playground page at `/`: plain HTML, CSS and a module script that call the API
 * of the same server. The files are read once at start-up; they are a few kilobytes.
 */
export function registerPlayground(fastify: FastifyInstance): void {
  const dir = assetsDir();
  for (const asset of ASSETS) {
    const body = readFileSync(join(dir, asset.file));
    fastify.get(asset.url, (_request, reply) =>
      reply.header('content-type', asset.type).header('cache-control', 'no-cache').send(body),
    );
  }
}
