import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import { shapeError } from '../../../common/http/error-response';
import { inspectJsonText } from '../../../common/http/json-body.parser';
import type { TextRules } from '../../../common/validation/text-rules';
import { fieldMessages } from '../../../common/validation/zod-validation.pipe';
import type { TextInput } from '../../inference';
import { classifyStreamLineSchema, type ClassifyStreamQuery } from '../dto/classify-request.schema';
import type { NdjsonLine } from './ndjson-lines';

/** A line to classify, its settings resolved (the line's own, else the query's). */
export interface StreamText {
  readonly line: number;
  /** The line's id, or its number: what the answer line is known by. */
  readonly id: string | number;
  readonly input: TextInput;
  readonly model?: string;
  readonly modelVersion?: string;
  readonly topK?: number;
}

/** A line answered with an error line; the stream goes on. */
export interface StreamLineError {
  readonly line: number;
  readonly id: string | number;
  readonly error: unknown;
}

export type StreamItem = StreamText | StreamLineError;

export function isLineError(item: StreamItem): item is StreamLineError {
  return 'error' in item;
}

export interface StreamLineRules {
  readonly textRules: TextRules;
  readonly maxJsonDepth: number;
  readonly maxLineBytes: number;
  readonly query: ClassifyStreamQuery;
}

/**
 * One input line checked as `POST /classify` checks a body (the same zod schema, JSON guards
 * and text rules), so a bad line is refused with the words a request would get, alone.
 */
export function parseStreamLine(line: NdjsonLine, rules: StreamLineRules): StreamItem {
  const { number } = line;
  if ('tooLongBytes' in line) {
    const error = new PayloadTooLargeException(
      `line ${number} is ${line.tooLongBytes} bytes, longer than STREAM_MAX_LINE_BYTES (${rules.maxLineBytes})`,
    );
    return { line: number, id: number, error };
  }
  const refuse = (message: string): StreamLineError => ({
    line: number,
    id: number,
    error: new BadRequestException(message),
  });
  if (line.text.trim().length === 0) return refuse(`line ${number} is empty`);
  const problem = inspectJsonText(line.text, rules.maxJsonDepth);
  if (problem !== undefined) return refuse(`line ${number}: ${problem}`);
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch {
    return refuse(`line ${number} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(`line ${number} must be a JSON object`);
  }
  const parsed = classifyStreamLineSchema.safeParse(value);
  if (!parsed.success) return refuse(fieldMessages(parsed.error).join('; '));
  const body = parsed.data;
  const id = body.id ?? number;
  try {
    rules.textRules.check([body.text]);
    if (body.text_pair !== undefined)
      rules.textRules.check([body.text_pair], undefined, 'text_pair');
  } catch (error) {
    if (error instanceof HttpException) return { line: number, id, error };
    throw error;
  }
  return {
    line: number,
    id,
    input: body.text_pair === undefined ? body.text : { text: body.text, pair: body.text_pair },
    model: body.model ?? rules.query.model,
    modelVersion: body.model_version ?? rules.query.model_version,
    topK: body.top_k ?? rules.query.top_k,
  };
}

/** An answer line for a line that could not be classified. */
export function errorLine(item: StreamLineError, requestId: string): string {
  const { statusCode, error, message } = shapeError(item.error, requestId).body;
  return JSON.stringify({ id: item.id, line: item.line, error: { statusCode, error, message } });
}
