import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** An input row ready to send, known by its line number in the input file (from 1). */
export interface InputRow {
  readonly line: number;
  readonly id: string | number;
  readonly text: string;
  readonly textPair?: string;
}

/** An input row that cannot be sent (not JSON, no text); reported in the errors file. */
export interface InputRowError {
  readonly line: number;
  readonly id: string | number;
  readonly message: string;
}

export type Row = InputRow | InputRowError;

export function isRowError(row: Row): row is InputRowError {
  return 'message' in row;
}

export interface InputFormat {
  readonly csv: boolean;
  readonly textColumn: string;
  readonly idColumn: string;
}

/**
 * The rows of a JSONL file (`text`, optional `id`, `text_pair`) or a CSV file with a header
 * (`--text-column`, `--id-column`), after line `after` (for --resume). An id left out is the
 * row's line number, so every output line can be traced to its input line.
 */
export async function* readRows(
  path: string,
  format: InputFormat,
  after: number,
): AsyncGenerator<Row> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  if (!format.csv) {
    for await (const text of lines) {
      number++;
      if (number > after) yield jsonRow(number, text);
    }
    return;
  }
  let header: string[] | undefined;
  let pending = '';
  let start = 0;
  for await (const text of lines) {
    number++;
    if (pending === '') start = number;
    pending = pending === '' ? text : `${pending}\n${text}`;
    const fields = csvFields(pending);
    // An open quote: the record goes on on the next line.
    if (fields === undefined) continue;
    pending = '';
    if (header === undefined) header = fields;
    else if (start > after) yield csvRow(start, header, fields, format);
  }
  if (pending !== '' && start > after) {
    yield { line: start, id: start, message: 'unterminated quoted field' };
  }
}

function jsonRow(line: number, text: string): Row {
  if (text.trim() === '') return { line, id: line, message: `line ${line} is empty` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, id: line, message: `line ${line} is not valid JSON` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, id: line, message: `line ${line} must be a JSON object` };
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'string' || typeof record.id === 'number' ? record.id : line;
  if (typeof record.text !== 'string') return { line, id, message: 'text must be a string' };
  const pair = record.text_pair;
  if (pair !== undefined && pair !== null && typeof pair !== 'string') {
    return { line, id, message: 'text_pair must be a string' };
  }
  return { line, id, text: record.text, textPair: typeof pair === 'string' ? pair : undefined };
}

function csvRow(line: number, header: string[], fields: string[], format: InputFormat): Row {
  const column = (name: string): string | undefined => {
    const index = header.indexOf(name);
    return index < 0 ? undefined : fields[index];
  };
  const id = column(format.idColumn);
  const text = column(format.textColumn);
  const rowId = id === undefined || id === '' ? line : id;
  if (text === undefined) {
    return { line, id: rowId, message: `no ${format.textColumn} column in this row` };
  }
  return { line, id: rowId, text };
}

/** RFC 4180 fields of one record, or undefined while a quoted field is still open. */
export function csvFields(record: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const char = record[i];
    if (quoted) {
      if (char !== '"') field += char;
      else if (record[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}
