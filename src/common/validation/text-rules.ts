import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config';

/**
 * The original design's content filter (script injection in texts): `<script`, `javascript:`
 * and `data:`. `data:` is matched as a data URI (`data:[type][;param],`), so ordinary prose
 * such as "billing data: reply" is not refused.
 */
const SUSPICIOUS_CONTENT =
  /<script|javascript\s*:|\bdata:(?:[\w.+-]+\/[\w.+-]+)?(?:;[\w.+-]+(?:=[\w.+-]+)?)*,/i;

/** Which rule a request broke; each protocol maps it to its own status and error type. */
export type TextRule = 'too-many' | 'not-a-string' | 'empty' | 'too-long' | 'content';

const RULE_STATUS: Readonly<Record<TextRule, HttpStatus>> = {
  'too-many': HttpStatus.BAD_REQUEST,
  'not-a-string': HttpStatus.BAD_REQUEST,
  empty: HttpStatus.BAD_REQUEST,
  'too-long': HttpStatus.BAD_REQUEST,
  content: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** A broken text rule, with Sift's own status (400, or 422 for the content filter). */
export class TextRuleError extends HttpException {
  constructor(
    readonly rule: TextRule,
    message: string,
  ) {
    super(message, RULE_STATUS[rule]);
  }
}

/**
 * Limits that depend on configuration, applied after a body's shape is validated: text length,
 * batch size, blank texts and the optional content filter. Every route applies the same rules
 * through the classification pipeline.
 */
@Injectable()
export class TextRules {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /**
   * Throws a {@link TextRuleError} for the first rule `texts` break. `listName` names the
   * list in messages (`texts[3]`); without it the request holds one text, called `text`.
   */
  check(texts: readonly unknown[], listName?: string, singleName = 'text'): void {
    if (listName !== undefined && texts.length > this.config.MAX_BATCH_ITEMS) {
      throw new TextRuleError(
        'too-many',
        `${listName} must contain at most ${this.config.MAX_BATCH_ITEMS} items (got ${texts.length})`,
      );
    }
    texts.forEach((text, index) => {
      const field = listName === undefined ? singleName : `${listName}[${index}]`;
      if (typeof text !== 'string')
        throw new TextRuleError('not-a-string', `${field} must be a string`);
      if (text.trim().length === 0) throw new TextRuleError('empty', `${field} must not be empty`);
      if (text.length > this.config.MAX_TEXT_CHARS) {
        throw new TextRuleError(
          'too-long',
          `${field} must be at most ${this.config.MAX_TEXT_CHARS} characters (got ${text.length})`,
        );
      }
      if (this.config.CONTENT_FILTER && SUSPICIOUS_CONTENT.test(text)) {
        throw new TextRuleError('content', `Potentially malicious content detected in ${field}`);
      }
    });
  }
}
