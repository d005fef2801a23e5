import {
  BadRequestException,
  Injectable,
  UnprocessableEntityException,
  type PipeTransform,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config';

/**
 * The original design's content filter (script injection in texts): `<script`, `javascript:`
 * and `data:`. `data:` is matched as a data URI (`data:[type][;param],`), so ordinary prose
 * such as "billing data: reply" is not refused.
 */
const SUSPICIOUS_CONTENT =
  /<script|javascript\s*:|\bdata:(?:[\w.+-]+\/[\w.+-]+)?(?:;[\w.+-]+(?:=[\w.+-]+)?)*,/i;

interface TextBody {
  text?: unknown;
  texts?: unknown;
}

/**
 * Limits that depend on configuration, applied after the DTO's shape validation:
 * text length, batch size, blank texts and the optional content filter.
 */
@Injectable()
export class TextRulesPipe implements PipeTransform {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  transform<T extends TextBody>(body: T): T {
    const batch = Array.isArray(body.texts);
    const texts: unknown[] = batch ? (body.texts as unknown[]) : [body.text];
    if (batch && texts.length > this.config.MAX_BATCH_ITEMS) {
      throw new BadRequestException(
        `texts must contain at most ${this.config.MAX_BATCH_ITEMS} items (got ${texts.length})`,
      );
    }
    texts.forEach((text, index) => {
      const field = batch ? `texts[${index}]` : 'text';
      if (typeof text !== 'string') throw new BadRequestException(`${field} must be a string`);
      if (text.trim().length === 0) throw new BadRequestException(`${field} must not be empty`);
      if (text.length > this.config.MAX_TEXT_CHARS) {
        throw new BadRequestException(
          `${field} must be at most ${this.config.MAX_TEXT_CHARS} characters (got ${text.length})`,
        );
      }
      if (this.config.CONTENT_FILTER && SUSPICIOUS_CONTENT.test(text)) {
        throw new UnprocessableEntityException(
          `Potentially malicious content detected in ${field}`,
        );
      }
    });
    return body;
  }
}
