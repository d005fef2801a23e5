/**
 * A do-nothing OTLP/HTTP collector for measuring tracing's cost: it reads each export and
 * answers 200, so the exporter's work is real while no collector competes for the CPU.
 *
 *   tsx bench/otlp-sink.ts 4318 &
 *   npm run bench:alternate -- --concurrency 64 --variant dist \
 *     --variant 'dist OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_TRACES_SAMPLER=always_on'
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 4318);
let exports = 0;
let bytes = 0;
createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    exports++;
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`OTLP sink on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log(`${exports} exports, ${bytes} bytes`);
  process.exit(0);
});
