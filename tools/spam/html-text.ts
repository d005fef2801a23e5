const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  deg: '°',
  middot: '·',
  bull: '•',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  times: '×',
  eacute: 'é',
  egrave: 'è',
  aacute: 'á',
  agrave: 'à',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
};

const BLOCK_TAG =
  /<\/?(?:br|p|div|tr|li|ul|ol|table|h[1-6]|blockquote|pre|hr|title|center)\b[^>]*>/gi;

/** Decodes named (common subset) and numeric HTML character references. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (match: string, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // Out-of-range references appear in spam to dodge filters; dropping them matches browsers' blank.
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
  });
}

/** Reduces an HTML document to the text a reader sees: no tags, scripts, styles or comments. */
export function htmlToText(html: string): string {
  const withoutCode = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  const withoutTags = withoutCode.replace(BLOCK_TAG, '\n').replace(/<\/?[a-z!][^>]*>/gi, ' ');
  return decodeHtmlEntities(withoutTags);
}

/** True when a body declared as plain text is really HTML (common in spam). */
export function looksLikeHtml(text: string): boolean {
  return /<(?:html|body|p|div|br|table|font|a\s|img\s|td)\b[^>]*>/i.test(text);
}
