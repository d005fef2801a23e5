export { APP_CONFIG, ConfigModule, InjectConfig } from './config.module';
export { ENV_VARIABLES, envSchema, type AppConfig } from './env.schema';
export { ConfigError, loadConfig } from './load-config';
