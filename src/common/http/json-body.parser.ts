import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Keys that can reach an object's prototype once a body is merged or assigned somewhere. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** A forbidden key written entirely as \uXXXX escapes; longer keys need no decoding. */
const LONGEST_ESCAPED_KEY = 'constructor'.length * 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isFollowedByColon(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
  return text.charCodeAt(i) === COLON;
}

function decodeKey(quoted: string): string | undefined {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined; // a malformed escape: the parser reports the body as malformed
  }
}

/**
 * One pass over the raw text, before anything is allocated: the reason the body must be
 * refused (nesting deeper than `maxDepth`, or a prototype-related key, escaped or not),
 * or undefined. Malformed JSON is left to the parser to report.
 */
export function inspectJsonText(text: string, maxDepth: number): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const start = i;
      let escaped = false;
      i++;
      while (i < text.length && text.charCodeAt(i) !== QUOTE) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      if (i - start - 1 <= LONGEST_ESCAPED_KEY && isFollowedByColon(text, i + 1)) {
        const key = escaped ? decodeKey(text.slice(start, i + 1)) : text.slice(start + 1, i);
        if (key !== undefined && FORBIDDEN_KEYS.has(key)) {
          return `JSON body must not contain the key "${key}"`;
        }
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return `JSON body must not be nested deeper than ${maxDepth} levels`;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return undefined;
}

type Done = (error: Error | null, body?: unknown) => void;
type StringParser = (request: FastifyRequest, body: string, done: Done) => void;

/**
 * Installs the API's JSON body parser: `application/json` whose top level is an object. Besides
 * it only NDJSON streams are accepted (ndjson-body.parser.ts); any other type gets Fastify's 415. The text is inspected first (depth, prototype
 * keys), then parsed by Fastify's default JSON parser, so secure-json-parse still guards it
 * and empty or malformed bodies keep Fastify's error codes.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, maxDepth: number): void {
  // secure-json-parse's default actions, spelled out: a poisoned body is an error, not
  // stripped. Fastify's default parser is the callback form of its parser type.
  const parseJson = fastify.getDefaultJsonParser('error', 'error') as StringParser;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const problem = inspectJsonText(text, maxDepth);
    if (problem !== undefined) {
      done(new BadRequestException(problem), undefined);
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error !== null) done(error, undefined);
      else if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        done(new BadRequestException('JSON body must be an object'), undefined);
      } else done(null, parsed);
    });
  });
}
