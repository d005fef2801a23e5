import { ApiProperty } from '@nestjs/swagger';
import type { Explanation, WordWeight } from '../explanation/explanation.types';

// Examples below are copied from a real answer of the shipped spam-en model (the README's
// explanation of "You won a FREE cruise, click here").

/** OpenAPI schema of {@link WordWeight}. */
export class WordWeightDto implements WordWeight {
  @ApiProperty({
    description: 'The word: a run of non-whitespace, punctuation included',
    example: 'click',
  })
  readonly text!: string;

  @ApiProperty({
    description: 'Offset of its first character, in UTF-16 code units (JavaScript string indexes)',
    type: 'integer',
    example: 23,
  })
  readonly start!: number;

  @ApiProperty({
    description: 'Offset past its last character: `text.slice(start, end)` is the word',
    type: 'integer',
    example: 28,
  })
  readonly end!: number;

  @ApiProperty({
    description:
      'p(label | text) − p(label | text with characters [start, end) deleted): positive pushed toward the label, negative against it',
    example: 0.4824428142261559,
  })
  readonly weight!: number;
}

/** OpenAPI schema of {@link Explanation}. */
export class ExplanationDto implements Explanation {
  @ApiProperty({
    description: "The label explained: the answer's label (a multi-label model's top label)",
    example: 'spam',
  })
  readonly label!: string;

  @ApiProperty({
    description: 'Occlusion: each word deleted in turn, the shorter text classified again',
    enum: ['occlusion'],
    example: 'occlusion',
  })
  readonly method!: 'occlusion';

  @ApiProperty({ description: 'One entry per word of the text, in order', type: [WordWeightDto] })
  readonly words!: readonly WordWeightDto[];
}
