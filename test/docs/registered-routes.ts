import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  readonly method: string;
  /** In OpenAPI's template form: `/models/{name}` for Fastify's `/models/:name`. */
  readonly path: string;
}

const TREE_LINE = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/;

/**
 * Every route the Fastify instance serves, read from `printRoutes({ commonPrefix: false })`
 * (Fastify has no public route list). Each line's depth is its indent over four columns and
 * its path is the parent's path with the line's segment appended. HEAD routes that Fastify
 * adds beside each GET are left out.
 */
export function registeredRoutes(fastify: FastifyInstance): RegisteredRoute[] {
  const parents: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue;
    const match = TREE_LINE.exec(line);
    if (match === null) throw new Error(`Unexpected printRoutes line: ${JSON.stringify(line)}`);
    const depth = match[1].length / 4;
    const path = (parents[depth - 1] ?? '') + match[2];
    parents[depth] = path;
    parents.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((name) => name.trim())) {
      if (method === '' || method === 'HEAD') continue;
      routes.push({ method, path: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
    }
  }
  return routes;
}
