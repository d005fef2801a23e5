import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { REPO_ROOT, startTestApp, type TestApp } from '../helpers/test-app';

const run = promisify(execFile);

/** Inside the repository, so the client resolves openapi-fetch from its node_modules. */
const WORK_DIR = join(REPO_ROOT, '.tmp', 'openapi-client');

/** What a user of the generated types writes: a typed call to POST /classify. */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './sift-api';

const [baseUrl, text] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl });
const { data, error, response } = await client.POST('/classify', {
  body: { text, model: 'spam-en', top_k: 2 },
});
if (error !== undefined) throw new Error(\`\${response.status}: \${error.message}\`);
const label: string = data.label;
const cached: boolean = data.cached;
console.log(JSON.stringify({ label, cached, scores: data.scores, status: response.status }));
`;

/** Mistakes the generated types must refuse. */
const MISUSE = `
import createClient from 'openapi-fetch';
import type { paths } from './sift-api';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' });
void client.POST('/classify', { body: { txt: 'a misspelt field' } });
void client.POST('/classify', { body: { text: 'top_k is a number', top_k: 'two' } });
`;

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('A client generated from /openapi.json', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({}, { listen: true });
    const spec = (await (await fetch(`${sut.baseUrl}/openapi.json`)).json()) as Parameters<
      typeof openapiTS
    >[0];
    rmSync(WORK_DIR, { recursive: true, force: true });
    mkdirSync(WORK_DIR, { recursive: true });
    writeFileSync(join(WORK_DIR, 'sift-api.ts'), astToString(await openapiTS(spec)));
    writeFileSync(join(WORK_DIR, 'client.ts'), CLIENT);
    writeFileSync(join(WORK_DIR, 'misuse.ts'), MISUSE);
  });

  afterAll(() => sut?.close());

  it('type-checks a call to POST /classify with openapi-typescript types', () => {
    expect(typeErrors(join(WORK_DIR, 'client.ts'))).toEqual([]);
  });

  it('refuses a misspelt field and a wrongly typed one at compile time', () => {
    const errors = typeErrors(join(WORK_DIR, 'misuse.ts')).join('\n');
    expect(errors).toMatch(/'txt' does not exist/);
    expect(errors).toMatch(/'string' is not assignable to type 'number'/);
  });

  it('classifies a spam text through openapi-fetch against the running app', async () => {
    const { outputText } = ts.transpileModule(CLIENT, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const script = join(WORK_DIR, 'client.mjs');
    writeFileSync(script, outputText);
    // Asynchronous: the app answering the client runs in this process.
    const { stdout } = await run(process.execPath, [
      script,
      sut.baseUrl!,
      'Congratulations! You won a FREE cruise, click here to claim your prize now',
    ]);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ label: 'spam', cached: false, status: 200 });
    expect(Object.keys(answer.scores).sort()).toEqual(['ham', 'spam']);
  });
});
