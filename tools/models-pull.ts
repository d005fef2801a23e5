/**
 * `npm run models:pull -- org/repo[@revision] [--name N] [--dtype q8]`: writes a Hub model as a
 * plain folder under MODELS_DIR (with source.json recording repo, revision and commit), for
 * images built ahead and air-gapped hosts. HF_ENDPOINT, HF_TOKEN and the HF cache variables
 * apply as they do to MODEL_ID.
 */
import { parseArgs } from 'node:util';
import { ConfigError, isModelDtype, loadConfig, parseHubModelRef } from '../src/config';
import { pullModel } from './hub/pull-model';

const USAGE = 'usage: npm run models:pull -- org/repo[@revision] [--name N] [--dtype fp32|q8]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, dtype: { type: 'string', default: 'fp32' } },
  });
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const entry = values.name === undefined ? positionals[0] : `${values.name}=${positionals[0]}`;
  const ref = parseHubModelRef(entry);
  if (typeof ref === 'string') {
    console.error(`${ref}\n${USAGE}`);
    return 2;
  }
  if (!isModelDtype(values.dtype)) {
    console.error(`--dtype: "${values.dtype}" is not fp32 or q8\n${USAGE}`);
    return 2;
  }
  const { dir, snapshot } = await pullModel(loadConfig(), { ref, dtype: values.dtype });
  console.log(
    `${snapshot.repo}@${snapshot.revision} (commit ${snapshot.commit}) written to ${dir}: ${snapshot.files.join(', ')}`,
  );
  if (snapshot.dtype === 'q8') {
    console.log(
      `serve it with MODEL_DTYPE=${ref.name}:q8 (the folder holds only the quantized graph)`,
    );
  } else if (values.dtype === 'q8') {
    console.log(`${snapshot.repo} has no quantized graph: ${snapshot.graph} (fp32) was written`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Hub and configuration errors are one line that says what to do; no stack trace.
    const known = error instanceof ConfigError || (error as Error).name === 'HubModelError';
    console.error(known ? (error as Error).message : String((error as Error).stack ?? error));
    process.exit(1);
  },
);
