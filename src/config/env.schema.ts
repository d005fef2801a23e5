import { z } from 'zod';

import { hubModelIds } from './hub-model-ids';
import { modelDtypeSetting } from './model-dtype';
import { otelEnv } from './otel-env';
import { checkRedisMode } from './redis-mode';
import { checkStreamTimeouts } from './stream-timeouts';

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

const HOST_PORT = /^[^:/@\s]+:\d{1,5}$/;
const NODE_URL = /^rediss?:\/\/([^@/\s]+@)?[^:/@\s]+:\d{1,5}$/;

/**
 * A comma-separated list of Redis nodes, `host:port` each; the first may be a URL, whose
 * scheme (rediss: TLS) and user:password apply to every node. Unset: undefined.
 */
const redisNodes = csv
  .pipe(
    z
      .array(z.string())
      .min(1)
      .refine(
        ([first = '', ...rest]) =>
          (HOST_PORT.test(first) || NODE_URL.test(first)) &&
          rest.every((node) => HOST_PORT.test(node)),
        'entries must be host:port; only the first may be redis[s]://[user:password@]host:port',
      ),
  )
  .optional();

/**
 * The default model when DEFAULT_MODEL is unset, if it is served: the model this repository
 * ships, so `npm start` answers with it. Otherwise the first served model is the default (see
 * chooseDefaultModel); a deployment of other models names its own in DEFAULT_MODEL.
 */
export const SHIPPED_DEFAULT_MODEL = 'spam-en';

/**
 * Every environment variable Sift reads, with its default. The README's configuration
 * table mirrors this object; a test keeps the two in step.
 */
export const envSchema = z
  .object({
    PORT: integer(0, 65535).default(8000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    MODELS_DIR: z.string().min(1).default('./models'),
    // Unset: SHIPPED_DEFAULT_MODEL when served, else the first model of MODELS (by name when
    // MODELS is empty). Set: it must be served, or loading fails.
    DEFAULT_MODEL: optionalString,
    MODELS: csv.default([]),
    // Hugging Face Hub models served beside MODELS_DIR's: `[name=]org/repo[@revision]`, comma-separated.
    MODEL_ID: hubModelIds.default([]),
    // The Hub's address, as huggingface_hub and transformers.js read it: a mirror or a private hub.
    HF_ENDPOINT: z
      .url({ protocol: /^https?$/ })
      .transform((url) => url.replace(/\/+$/, ''))
      .default('https://huggingface.co'),
    // The client refuses tokens of another form; saying so here names the variable.
    HF_TOKEN: optionalString.pipe(
      z.string().startsWith('hf_', 'must be a Hugging Face token (hf_...)').optional(),
    ),
    // Unset: $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. The cache is HF_HUB_CACHE,
    // else $HF_HOME/hub.
    HF_HOME: optionalString,
    HF_HUB_CACHE: optionalString,
    // Where huggingface_hub puts its cache when HF_HOME is unset ($XDG_CACHE_HOME/huggingface).
    XDG_CACHE_HOME: optionalString,
    // Only the cache, no network (as in huggingface_hub): a model not cached fails start-up.
    HF_HUB_OFFLINE: boolean.default(false),
    // Seconds a Hub request may go without an answer or a byte (huggingface_hub's names and
    // defaults): metadata (the revision, the file list), and file downloads. Past it the Hub
    // counts as unreachable, so a complete cached copy serves instead.
    HF_HUB_ETAG_TIMEOUT: z.coerce.number().positive().max(3600).default(10),
    HF_HUB_DOWNLOAD_TIMEOUT: z.coerce.number().positive().max(3600).default(10),
    // Unset: every model serves its fp32 graph (model.onnx).
    MODEL_DTYPE: modelDtypeSetting.optional(),
    // Unset: the repository is read at start-up and through the admin load/unload routes only.
    MODEL_POLL_SECONDS: integer(1, 86400).optional(),
    EXECUTION_PROVIDERS: csv.pipe(z.array(z.enum(['cpu', 'cuda'])).min(1)).default(['cpu']),
    ORT_INTRA_OP_THREADS: integer(0, 256).default(0),
    ORT_INTER_OP_THREADS: integer(0, 256).default(0),

    MAX_BATCH_SIZE: integer(1, 4096).default(32),
    // Unset: 512 padded tokens on CPU for models whose longest input runs over 1 ms (batch 1 is
    // fastest for long texts there), 16384 for tiny models and on CUDA.
    MAX_BATCH_TOKENS: integer(1).optional(),
    MAX_BATCH_DELAY_MS: integer(0, 10000).default(0),
    MAX_PADDING_FRACTION: z.coerce.number().min(0).max(1).default(0.25),
    MAX_SEQ_LEN: integer(2, 100000).default(512),
    // Unset: placed from the graph at load: a light graph (no attention, few weights) stays on
    // the event loop; others get 2 worker threads (1 when CUDA is tried first).
    INFERENCE_WORKERS: integer(0, 64).optional(),
    // Unset: one tokenizer thread per core when there are 2 or more cores, else 0 (tokenize on
    // the event loop). See runtime/tokenizer-pool.ts.
    TOKENIZER_THREADS: integer(0, 64).optional(),
    // Unset: two runs in flight per worker, 1 on the event loop.
    INFERENCE_CONCURRENCY: integer(1, 64).optional(),
    INFERENCE_WORKER_SCRIPT: optionalString,
    MAX_QUEUE_TEXTS: integer(1).default(4096),
    REQUEST_TIMEOUT_MS: integer(1).default(30000),
    DEFAULT_TOP_K: integer(1).default(5),

    MAX_TEXT_CHARS: integer(1).default(10000),
    MAX_BATCH_ITEMS: integer(1, 100000).default(64),
    // Words of a text `"explain": true` may ask about; each costs one more run of the model.
    EXPLAIN_MAX_WORDS: integer(1, 10000).default(64),
    BODY_LIMIT_BYTES: integer(1024).default(1048576),
    // POST /classify/stream is not capped by BODY_LIMIT_BYTES (a bulk job is any size); each of
    // its lines is, by this: room for MAX_TEXT_CHARS of escaped text and the other fields.
    STREAM_MAX_LINE_BYTES: integer(64, 16777216).default(131072),
    // How long a rate-limited stream waits for its window to reset before it ends with an error
    // line; below HTTP_CONNECTION_TIMEOUT_MS, which a paused socket would otherwise run into.
    STREAM_RATE_LIMIT_WAIT_MS: integer(0, 3600000).default(10000),
    // A stream is bounded by idleness, not by HTTP_REQUEST_TIMEOUT_MS (a bulk body may take
    // hours): when it waits this long for body bytes that do not come, it ends with an error line
    // (below HTTP_CONNECTION_TIMEOUT_MS, which would close the silent socket without one).
    STREAM_IDLE_TIMEOUT_MS: integer(100, 3600000).default(30000),
    MAX_JSON_DEPTH: integer(2, 1000).default(16),
    SHUTDOWN_GRACE_MS: integer(0).default(10000),
    // After SIGTERM, /ready answers 503 while requests are still served, this long, so a load
    // balancer polling /ready (Kubernetes: periodSeconds × failureThreshold) stops routing first.
    SHUTDOWN_DELAY_MS: integer(0, 600000).default(5000),
    // Slow-client limits: a request's headers (Node's headersTimeout), then its body (our
    // request deadline, every route but the stream), must each arrive within
    // HTTP_REQUEST_TIMEOUT_MS; a socket silent for HTTP_CONNECTION_TIMEOUT_MS is closed
    // (longer than REQUEST_TIMEOUT_MS, so a slow inference is never cut); an idle keep-alive
    // socket is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS (longer than a load balancer's idle
    // timeout, e.g. AWS ALB's 60 s, so the balancer closes first and never reuses a closing one).
    HTTP_REQUEST_TIMEOUT_MS: integer(1, 3600000).default(30000),
    HTTP_CONNECTION_TIMEOUT_MS: integer(0, 3600000).default(60000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(1, 3600000).default(72000),

    REDIS_URL: optionalString.pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
    ),
    // Redis Cluster seed nodes, or sentinels: host:port entries (a redis:// or rediss:// URL
    // with user:password for the first one sets TLS and credentials for every node). Either
    // replaces REDIS_URL; see docs/deploy.md, Managed Redis.
    REDIS_CLUSTER_NODES: redisNodes,
    REDIS_SENTINELS: redisNodes,
    REDIS_SENTINEL_MASTER: optionalString,
    // The sentinels' own password (Redis' sentinel requirepass), not the data nodes'.
    REDIS_SENTINEL_PASSWORD: optionalString,
    // Private CA (PEM) for rediss:// servers whose certificate public CAs do not sign; the client
    // certificate and key are for servers that require mutual TLS. See docs/deploy.md.
    REDIS_TLS_CA_FILE: optionalString,
    REDIS_TLS_CERT_FILE: optionalString,
    REDIS_TLS_KEY_FILE: optionalString,
    // Unset: the host of REDIS_URL (or of each node) is the name the certificate must carry.
    REDIS_TLS_SERVERNAME: optionalString,
    CACHE_ENABLED: boolean.default(true),
    CACHE_MEMORY_ITEMS: integer(0).default(10000),
    CACHE_TTL_SECONDS: integer(1).default(3600),
    CACHE_TIMEOUT_MS: integer(1, 60000).default(50),
    CACHE_INVALIDATION_TIMEOUT_MS: integer(1, 60000).default(2000),

    MEMORY_WARNING_PERCENT: z.coerce.number().gt(0).max(100).default(90),

    RATE_LIMIT: integer(0).default(100),
    RATE_LIMIT_WINDOW_SECONDS: integer(1).default(60),
    RATE_LIMIT_TIMEOUT_MS: integer(1, 60000).default(200),
    TRUST_PROXY: boolean.default(false),
    CONTENT_FILTER: boolean.default(true),
    // Browsers send origins without a path, so `https://app.example.com/` would never match.
    CORS_ORIGINS: csv
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^(\*|https?:\/\/[^/\s]+)$/,
                'entries must be * or origins like https://app.example.com (no path)',
              ),
          )
          .refine(
            (origins) => !origins.includes('*') || origins.length === 1,
            '* cannot be combined with other origins',
          ),
      )
      .default([]),
    ADMIN_API_KEY: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),

    DOCS_ENABLED: boolean.default(true),
    PLAYGROUND_ENABLED: boolean.default(true),

    // OpenTelemetry traces: the specification's variables, see otel-env.ts.
    ...otelEnv,
  })
  .superRefine(checkRedisMode)
  .superRefine(checkStreamTimeouts);

export type AppConfig = z.infer<typeof envSchema>;

/** Names of every variable the schema knows: deployment tests check manifests against it. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as ReadonlyArray<keyof AppConfig>;
