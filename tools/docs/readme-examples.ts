import { parse } from 'shell-quote';
import { SHIPPED_MODELS_DIR } from '../common/model-dirs';

/**
 * The README's curl examples, each followed by the response it shows as `# ` comment lines.
 * `npm run docs:examples` re-runs them against the app and rewrites those lines; a test fails
 * when they differ, so the documented responses are always ones the server really gives.
 */
export interface CurlExample {
  /** 0-based line of the `curl` command in the README. */
  readonly line: number;
  /** The command as written, continuation lines joined. */
  readonly command: string;
  readonly method: string;
  /** Path and query, e.g. `/cache?model=spam-en`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** The documented response: the `# ` lines after the command, joined. */
  readonly documented: string;
  /** Lines the documented response spans. */
  readonly documentedLines: number;
}

/** Values the examples' `$VARIABLES` stand for when they are run. */
export const EXAMPLE_ENV: Readonly<Record<string, string>> = {
  ADMIN_API_KEY: 'readme-example-admin-key',
};

/** Every curl command in the README's bash blocks that documents its response as `# ` lines. */
export function findCurlExamples(readme: string): CurlExample[] {
  const lines = readme.split('\n');
  const examples: CurlExample[] = [];
  let inBash = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      inBash = !inBash && line.trim() === '```bash';
      continue;
    }
    if (!inBash || !line.startsWith('curl ')) continue;
    const start = i;
    let command = line;
    while (command.endsWith('\\') && i + 1 < lines.length) {
      i++;
      command = `${command.slice(0, -1).trimEnd()} ${lines[i].trim()}`;
    }
    const documented: string[] = [];
    while (i + 1 < lines.length && /^# [[{]/.test(lines[i + 1])) {
      i++;
      documented.push(lines[i].slice(2));
    }
    // Commands shown without a response (headers with -si, a multi-line body) are not run.
    if (documented.length === 0) continue;
    examples.push({
      line: start,
      command,
      ...parseCurl(command),
      documented: documented.join(''),
      documentedLines: documented.length,
    });
  }
  return examples;
}

function parseCurl(command: string): Pick<CurlExample, 'method' | 'url' | 'headers' | 'body'> {
  const words = parse(command, EXAMPLE_ENV).map((entry) => {
    if (typeof entry !== 'string') throw new Error(`unsupported shell syntax in: ${command}`);
    return entry;
  });
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-s') continue;
    if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const [name, ...value] = words[++i].split(':');
      headers[name.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d') body = words[++i];
    else if (word.startsWith('-'))
      throw new Error(`unsupported curl option ${word} in: ${command}`);
    else url = word;
  }
  if (url === undefined) throw new Error(`no URL in: ${command}`);
  const path = url.replace(/^(https?:\/\/)?localhost:8000/, '');
  return { method: method ?? (body === undefined ? 'GET' : 'POST'), url: path, headers, body };
}

/** The app settings the examples run with: the shipped models, no Redis, the example key. */
export const EXAMPLE_APP_ENV: Readonly<Record<string, string>> = {
  MODELS_DIR: SHIPPED_MODELS_DIR,
  MODELS: '',
  ADMIN_API_KEY: EXAMPLE_ENV.ADMIN_API_KEY,
  REDIS_URL: '',
  LOG_LEVEL: 'silent',
};

/** What runs a request: light-my-request's `inject`, as Nest's Fastify app exposes it. */
export type Inject = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}) => Promise<{ body: string }>;

/** Runs the examples in order against one app and returns each response as one JSON line. */
export async function runCurlExamples(
  inject: Inject,
  examples: readonly CurlExample[],
): Promise<string[]> {
  const responses: string[] = [];
  for (const example of examples) {
    const response = await inject({
      method: example.method,
      url: example.url,
      headers: { ...example.headers },
      payload: example.body,
    });
    responses.push(JSON.stringify(JSON.parse(response.body)));
  }
  return responses;
}

/** The README with each example's documented response replaced by `responses[i]`. */
export function withResponses(
  readme: string,
  examples: readonly CurlExample[],
  responses: readonly string[],
): string {
  const lines = readme.split('\n');
  // From the end, so earlier line numbers stay valid.
  for (let k = examples.length - 1; k >= 0; k--) {
    const example = examples[k];
    let last = example.line;
    while (lines[last].endsWith('\\')) last++;
    lines.splice(last + 1, example.documentedLines, `# ${responses[k]}`);
  }
  return lines.join('\n');
}
