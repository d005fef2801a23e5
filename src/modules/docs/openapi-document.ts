import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from './security-schemes';

/** Version of the HTTP API described, not of the package: bump it when the contract changes. */
const API_VERSION = '1.0.0';

const DESCRIPTION = [
  'Text classification with ONNX models: dynamic batching, a prediction cache, rate limits.',
  'Every error answers `{statusCode, error, message, requestId}`.',
  'Admin routes take ADMIN_API_KEY as `X-Api-Key` or `Authorization: Bearer`.',
].join('\n\n');

/**
 * The OpenAPI 3.1 document of the app, built from its controllers and DTOs. No `servers`
 * entry: clients and Swagger UI then call the server that served the document.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Sift')
    .setDescription(DESCRIPTION)
    .setVersion(API_VERSION)
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addTag('classification', 'Classify texts and list the models')
    .addTag('operations', 'Probes and metrics')
    .addTag('admin', 'Needs ADMIN_API_KEY')
    .addTag('hugging-face-inference-api', "Hugging Face Inference API's text-classification shape")
    .addTag('text-embeddings-inference', "text-embeddings-inference's routes for classifiers")
    .addTag('kserve-v2', 'KServe V2 / Open Inference Protocol (REST)')
    .addTag('rerank', "Cohere's and Jina's rerank API, for cross-encoders")
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, API_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
}
