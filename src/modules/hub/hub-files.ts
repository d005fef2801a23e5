import type { ModelDtype } from '../../config';

/** A file of a Hub repository at one commit, as its tree lists it. */
export interface HubFile {
  readonly path: string;
  readonly size: number;
  /** The git blob id (sha1): the cache's blob name for a file kept in git. */
  readonly oid: string;
  /** The sha256 of the content, for a file kept in LFS (graphs and weights are). */
  readonly sha256?: string;
}

/** The files a repository needs to be served, and which of them is the graph. */
export interface ServingFiles {
  readonly graph: string;
  readonly files: readonly HubFile[];
}

/** Files read to serve a model besides the graph: the config and every tokenizer file. */
const SUPPORT_FILES = new Set([
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
  'sentencepiece.bpe.model',
  'spm.model',
  'added_tokens.json',
  'sift.json',
]);

/**
 * Where transformers.js looks for each dtype's graph, in order; a repository exported by
 * optimum puts it at the root, one prepared for transformers.js under onnx/.
 */
const GRAPHS: Readonly<Record<ModelDtype, readonly string[]>> = {
  fp32: ['onnx/model.onnx', 'model.onnx'],
  q8: ['onnx/model_quantized.onnx', 'model_quantized.onnx'],
};

/** A repository with nothing to serve for the dtype; the message lists what it has instead. */
export class NoOnnxGraphError extends Error {
  constructor(
    readonly repo: string,
    readonly dtype: ModelDtype,
    readonly present: readonly string[],
  ) {
    const shown = present.length > 12 ? [...present.slice(0, 12), '…'] : present;
    super(
      `${repo} has no ONNX graph (looked for ${GRAPHS[dtype].join(', ')}; it has ${shown.join(', ') || 'no files'}): ` +
        `export one with \`optimum-cli export onnx --model ${repo} <dir>\` and serve <dir> from MODELS_DIR`,
    );
  }
}

/**
 * The files to fetch: config.json, the tokenizer files present, and the one graph chosen with
 * its external-data files (ONNX keeps weights over 2 GB beside the graph as `<graph>_data`,
 * possibly split as `<graph>_data_1`…). With q8, a repository without a quantized graph
 * serves its fp32 one: the dtype returned is the one served, which is logged and reported.
 */
export function chooseServingFiles(
  repo: string,
  files: readonly HubFile[],
  dtype: ModelDtype,
): ServingFiles & { readonly dtype: ModelDtype } {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const order: ModelDtype[] = dtype === 'q8' ? ['q8', 'fp32'] : ['fp32'];
  for (const candidate of order) {
    const graph = GRAPHS[candidate].find((path) => byPath.has(path));
    if (graph === undefined) continue;
    const external = files.filter(
      (file) => file.path === `${graph}_data` || file.path.startsWith(`${graph}_data_`),
    );
    const support = files.filter((file) => SUPPORT_FILES.has(file.path));
    const chosen = [...support, byPath.get(graph) as HubFile, ...external];
    return { graph, files: chosen, dtype: candidate };
  }
  throw new NoOnnxGraphError(
    repo,
    dtype,
    files.map((file) => file.path),
  );
}
