import { parseArgs } from 'node:util';

/** What every peer server is started with (see servers.ts): a model folder and a port. */
export interface PeerArgs {
  readonly modelDir: string;
  readonly port: number;
}

/** Reads `--model-dir <dir> --port <port>`, or throws the usage line naming `script`. */
export function peerArgs(script: string): PeerArgs {
  const { values } = parseArgs({
    options: { 'model-dir': { type: 'string' }, port: { type: 'string' } },
  });
  const modelDir = values['model-dir'];
  const port = Number(values.port);
  if (modelDir === undefined || !Number.isInteger(port)) {
    throw new Error(`usage: ${script} --model-dir <dir> --port <port>`);
  }
  return { modelDir, port };
}

/** Runs a peer's start-up; a failure prints its stack and ends the child process with 1. */
export function runPeer(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(1);
  });
}
