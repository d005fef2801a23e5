import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { AppConfig } from '../../config';

export class RedisTlsFileError extends Error {
  override readonly name = 'RedisTlsFileError';
}

type TlsConfig = Partial<
  Pick<
    AppConfig,
    'REDIS_TLS_CA_FILE' | 'REDIS_TLS_CERT_FILE' | 'REDIS_TLS_KEY_FILE' | 'REDIS_TLS_SERVERNAME'
  >
>;

function readPem(variable: keyof TlsConfig, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    // A missing file is a deployment mistake, unlike a server with a bad certificate: fail
    // start-up, naming the variable, instead of reconnecting forever to no avail.
    throw new RedisTlsFileError(`${variable}: cannot read ${path} (${(error as Error).message})`);
  }
}

/**
 * The TLS options of every Redis connection (server, cluster node, sentinel) when TLS is on:
 * the private CA replaces the public ones, the client certificate is sent for mutual TLS.
 * Certificates are read once, at start-up (config validation checks that cert and key come
 * together).
 */
export function redisTlsOptions(config: TlsConfig): ConnectionOptions {
  const cert = readPem('REDIS_TLS_CERT_FILE', config.REDIS_TLS_CERT_FILE);
  const key = readPem('REDIS_TLS_KEY_FILE', config.REDIS_TLS_KEY_FILE);
  return {
    ca: readPem('REDIS_TLS_CA_FILE', config.REDIS_TLS_CA_FILE),
    cert,
    key,
    servername: config.REDIS_TLS_SERVERNAME,
  };
}
