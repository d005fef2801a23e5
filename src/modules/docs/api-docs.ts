import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../../config';
import { registerPlayground } from '../playground/playground.routes';
import { buildOpenApiDocument } from './openapi-document';

// http-security.ts relaxes the API's strict CSP for these paths (and the playground's) only.
const DOCS_PATH = '/docs';
const OPENAPI_JSON_PATH = '/openapi.json';
const OPENAPI_YAML_PATH = '/openapi.yaml';

/**
 * Serves the OpenAPI document (`/openapi.json`, `/openapi.yaml`) and Swagger UI at `/docs`
 * when DOCS_ENABLED, and the playground at `/` when PLAYGROUND_ENABLED. Swagger UI's assets
 * come from the installed swagger-ui-dist package, so the page works air-gapped. Call before
 * `app.init()`.
 */
export function registerApiDocs(app: NestFastifyApplication, config: AppConfig): void {
  if (config.DOCS_ENABLED) {
    // Built on first request, once every controller is registered, then kept.
    SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
      jsonDocumentUrl: OPENAPI_JSON_PATH,
      yamlDocumentUrl: OPENAPI_YAML_PATH,
      customSiteTitle: 'Sift API',
      swaggerOptions: {
        // The badge would send the document to validator.swagger.io.
        validatorUrl: null,
        tryItOutEnabled: true,
        displayRequestDuration: true,
      },
    });
  }
  if (config.PLAYGROUND_ENABLED) registerPlayground(app.getHttpAdapter().getInstance());
}
