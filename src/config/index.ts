export { APP_CONFIG, ConfigModule, InjectConfig } from './config.module';
export { ENV_VARIABLES, envSchema, SHIPPED_DEFAULT_MODEL, type AppConfig } from './env.schema';
export { ConfigError, loadConfig } from './load-config';
export { isModelDtype, MODEL_DTYPES, type ModelDtype, type ModelDtypeSetting } from './model-dtype';
export { hubModelIds, parseHubModelRef, type HubModelRef } from './hub-model-ids';
export { TRACE_SAMPLERS, type TraceSamplerName } from './otel-env';
