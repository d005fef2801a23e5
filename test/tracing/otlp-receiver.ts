import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in OTLP/HTTP collector: it decodes `ExportTraceServiceRequest` from the protobuf
 * wire format (opentelemetry-proto's trace.proto field numbers), so the test sees what a real
 * collector would, not what the SDK meant to send.
 */

type Value = string | number | boolean | undefined;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Readonly<Record<string, Value>>;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  readonly statusCode: number;
  readonly resource: Readonly<Record<string, Value>>;
}

interface Field {
  readonly number: number;
  readonly varint?: bigint;
  readonly bytes: Buffer;
}

function readVarint(buffer: Buffer, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let offset = start;
  for (;;) {
    const byte = buffer[offset++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
  }
}

/** Splits a message into its fields; wire types 0 (varint), 1 (64-bit), 2 (bytes), 5 (32-bit). */
function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [tag, afterTag] = readVarint(buffer, offset);
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    offset = afterTag;
    if (wire === 0) {
      const [value, next] = readVarint(buffer, offset);
      out.push({ number, varint: value, bytes: buffer.subarray(offset, next) });
      offset = next;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ number, bytes: buffer.subarray(offset, offset + size) });
      offset += size;
    } else if (wire === 2) {
      const [length, next] = readVarint(buffer, offset);
      out.push({ number, bytes: buffer.subarray(next, next + Number(length)) });
      offset = next + Number(length);
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}

const all = (message: Buffer, number: number): Buffer[] =>
  fields(message)
    .filter((field) => field.number === number)
    .map((field) => field.bytes);
const one = (message: Buffer, number: number): Buffer => all(message, number)[0] ?? Buffer.alloc(0);
const varint = (message: Buffer, number: number): number =>
  Number(fields(message).find((field) => field.number === number)?.varint ?? 0n);

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4. */
function anyValue(message: Buffer): Value {
  const [field] = fields(message);
  if (field === undefined) return undefined;
  if (field.number === 1) return field.bytes.toString('utf8');
  if (field.number === 2) return field.varint === 1n;
  if (field.number === 3) return Number(BigInt.asIntN(64, field.varint ?? 0n));
  if (field.number === 4) return field.bytes.readDoubleLE(0);
  return undefined;
}

/** KeyValue: key 1, value 2. */
function keyValues(messages: readonly Buffer[]): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of messages) out[one(kv, 1).toString('utf8')] = anyValue(one(kv, 2));
  return out;
}

/** ExportTraceServiceRequest → ResourceSpans (1) → Resource (1), ScopeSpans (2) → Span (2). */
export function decodeExportRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of all(body, 1)) {
    const resource = keyValues(all(one(resourceSpans, 1), 1));
    for (const scopeSpans of all(resourceSpans, 2)) {
      for (const span of all(scopeSpans, 2)) {
        spans.push({
          traceId: one(span, 1).toString('hex'),
          spanId: one(span, 2).toString('hex'),
          parentSpanId: one(span, 4).toString('hex'),
          name: one(span, 5).toString('utf8'),
          kind: varint(span, 6),
          attributes: keyValues(all(span, 9)),
          links: all(span, 13).map((link) => ({
            traceId: one(link, 1).toString('hex'),
            spanId: one(link, 2).toString('hex'),
          })),
          statusCode: varint(one(span, 15), 3),
          resource,
        });
      }
    }
  }
  return spans;
}

/** OTLP/JSON (the same messages, ids in hex, enums as numbers), as the http/json exporter sends. */
interface JsonKeyValue {
  readonly key: string;
  readonly value: {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number | string;
    doubleValue?: number;
  };
}
interface JsonSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: readonly JsonKeyValue[];
  readonly links?: readonly { traceId: string; spanId: string }[];
  readonly status?: { code?: number };
}
interface JsonExportRequest {
  readonly resourceSpans: readonly {
    resource?: { attributes?: readonly JsonKeyValue[] };
    scopeSpans: readonly { spans: readonly JsonSpan[] }[];
  }[];
}

function jsonKeyValues(list: readonly JsonKeyValue[] = []): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const { key, value } of list) {
    out[key] =
      value.stringValue ??
      value.boolValue ??
      (value.intValue === undefined ? value.doubleValue : Number(value.intValue));
  }
  return out;
}

export function decodeJsonExportRequest(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as JsonExportRequest;
  return request.resourceSpans.flatMap((resourceSpans) => {
    const resource = jsonKeyValues(resourceSpans.resource?.attributes);
    return resourceSpans.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: jsonKeyValues(span.attributes),
        links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
        statusCode: span.status?.code ?? 0,
        resource,
      })),
    );
  });
}

export interface OtlpReceiver {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Export requests received, whatever they held. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: { spans: ReceivedSpan[]; requests: number } = { spans: [], requests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.requests++;
      const type = request.headers['content-type'];
      const decode =
        type === 'application/x-protobuf'
          ? decodeExportRequest
          : type === 'application/json'
            ? decodeJsonExportRequest
            : undefined;
      if (request.method !== 'POST' || request.url !== '/v1/traces' || decode === undefined) {
        response.writeHead(400).end();
        return;
      }
      receiver.spans.push(...decode(Buffer.concat(chunks)));
      // An empty ExportTraceServiceResponse: everything accepted.
      if (type === 'application/json') {
        response.writeHead(200, { 'content-type': type }).end('{}');
      } else {
        response.writeHead(200, { 'content-type': type }).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: receiver.spans,
    get requests() {
      return receiver.requests;
    },
    close: async () => {
      server.close();
      await once(server, 'close');
    },
  };
}
