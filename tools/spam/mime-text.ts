import { htmlToText, looksLikeHtml } from './html-text';

interface MimeEntity {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

interface ContentType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Nested multiparts deeper than this are malformed or hostile; stop rather than recurse. */
const MAX_DEPTH = 8;

/**
 * Turns a raw RFC 822 message into what its sender wrote: the decoded `Subject`, a blank line,
 * then the readable body (transfer encodings and charsets decoded, HTML reduced to text,
 * attachments skipped). Every other header is mail plumbing and is dropped.
 */
export function emailToText(raw: string): string {
  const entity = recoverStrayHeaders(parseEntity(raw));
  const subject = decodeEncodedWords(entity.headers.get('subject') ?? '');
  const body = entityText(entity, 0);
  return tidyWhitespace(`${subject}\n\n${body}`);
}

function parseEntity(raw: string): MimeEntity {
  const text = raw.replace(/\r\n?/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 2);
  const headers = new Map<string, string>();
  let current: string | undefined;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && current !== undefined) {
      headers.set(current, `${headers.get(current) ?? ''} ${line.trim()}`);
      continue;
    }
    const match = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    const name = match?.[1].toLowerCase();
    // The first occurrence wins: later duplicates are usually relays' additions.
    current = match && name !== undefined && !headers.has(name) ? name : undefined;
    if (match && current !== undefined) headers.set(current, match[2]);
  }
  return { headers, body };
}

const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:/;
const KNOWN_HEADER =
  /^(subject|from|to|date|message-id|mime-version|content-type|received|return-path):/i;

/**
 * Some messages in the corpus are malformed: a broken header line ends the header block early,
 * or an SMTP transcript precedes it, and the rest of the headers lands at the top of the body.
 * A first body block made mostly of header lines is parsed as headers (filling gaps only) and
 * removed, so it neither leaks plumbing into the text nor hides the real Content-Type.
 */
function recoverStrayHeaders(entity: MimeEntity): MimeEntity {
  const split = entity.body.indexOf('\n\n');
  const block = split === -1 ? entity.body : entity.body.slice(0, split);
  const lines = block.split('\n');
  const headerLines = lines.filter((l) => HEADER_LINE.test(l)).length;
  if (headerLines < 3 || headerLines < lines.length / 2 || !lines.some((l) => KNOWN_HEADER.test(l)))
    return entity;
  const firstHeader = lines.findIndex((l) => HEADER_LINE.test(l));
  const stray = parseEntity(`${lines.slice(firstHeader).join('\n')}\n\n`);
  const headers = new Map(entity.headers);
  for (const [name, value] of stray.headers) {
    if (!headers.get(name)) headers.set(name, value);
  }
  return { headers, body: split === -1 ? '' : entity.body.slice(split + 2) };
}

function parseContentType(value: string | undefined): ContentType {
  const [type = '', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    params.set(
      part.slice(0, eq).trim().toLowerCase(),
      part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    );
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function entityText(entity: MimeEntity, depth: number): string {
  const contentType = parseContentType(entity.headers.get('content-type'));
  const disposition = (entity.headers.get('content-disposition') ?? '').toLowerCase();
  if (depth > MAX_DEPTH) return '';
  if (contentType.type.startsWith('multipart/')) return multipartText(entity, contentType, depth);
  if (contentType.type === 'message/rfc822') return emailToText(entity.body);
  if (!contentType.type.startsWith('text/') || disposition.startsWith('attachment')) return '';
  const decoded = decodeBody(
    entity.body,
    entity.headers.get('content-transfer-encoding'),
    contentType,
  );
  return contentType.type === 'text/html' || looksLikeHtml(decoded) ? htmlToText(decoded) : decoded;
}

function multipartText(entity: MimeEntity, contentType: ContentType, depth: number): string {
  const boundary = contentType.params.get('boundary');
  // Without a usable boundary the body is the best text we have.
  if (!boundary) return looksLikeHtml(entity.body) ? htmlToText(entity.body) : entity.body;
  const parts = splitMultipart(entity.body, boundary).map(parseEntity);
  if (contentType.type === 'multipart/alternative') {
    const plain = parts.find(
      (p) => parseContentType(p.headers.get('content-type')).type === 'text/plain',
    );
    const chosen = plain ?? parts[parts.length - 1];
    return chosen ? entityText(chosen, depth + 1) : '';
  }
  return parts
    .map((p) => entityText(p, depth + 1))
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) break;
    if (trimmed === delimiter) {
      if (current) parts.push(current.join('\n'));
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) parts.push(current.join('\n'));
  return parts;
}

function decodeBody(body: string, encoding: string | undefined, contentType: ContentType): string {
  const charset = contentType.params.get('charset');
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return decodeBytes(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), charset);
    case 'quoted-printable':
      return decodeQuotedPrintable(body, charset);
    default:
      return body;
  }
}

/** Decodes `=XX` runs with the part's charset; literal text around them is already characters. */
function decodeQuotedPrintable(body: string, charset: string | undefined): string {
  return body
    .replace(/=[ \t]*\n/g, '')
    .replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) =>
      decodeBytes(Buffer.from(run.replace(/=/g, ''), 'hex'), charset),
    );
}

/** Charset names 2002 mailers used that the WHATWG encoding registry does not know. */
const CHARSET_ALIASES: Readonly<Record<string, string>> = { chinesebig5: 'big5' };

function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const declared = (charset ?? 'utf-8').trim().toLowerCase();
  const label = CHARSET_ALIASES[declared] ?? declared;
  try {
    return new TextDecoder(label).decode(bytes);
  } catch (error) {
    // Spam declares made-up charsets; windows-1252 decodes any byte, which is good enough for training text.
    // Matched by code, not `instanceof RangeError`: under Jest the error comes from another realm.
    if ((error as { code?: unknown }).code === 'ERR_ENCODING_NOT_SUPPORTED') {
      return new TextDecoder('windows-1252').decode(bytes);
    }
    throw error;
  }
}

/** RFC 2047 encoded words (`=?charset?B|Q?...?=`), as used in subjects. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(
      /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
      (_match: string, charset: string, kind: string, data: string) => {
        const bytes =
          kind.toLowerCase() === 'b'
            ? Buffer.from(data, 'base64')
            : Buffer.from(
                data
                  .replace(/_/g, ' ')
                  .replace(/=([0-9A-Fa-f]{2})/g, (_m: string, hex: string) =>
                    String.fromCharCode(parseInt(hex, 16)),
                  ),
                'latin1',
              );
        return decodeBytes(bytes, charset.split('*')[0]);
      },
    );
}

function tidyWhitespace(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u00a0]/g, ' ')
      .replace(/[ \t]+/g, ' ')
      .replace(/ *\n */g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}
