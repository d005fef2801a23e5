import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI schema of the one error shape every Sift route answers with. */
export class ErrorResponseDto {
  @ApiProperty({ description: 'The HTTP status, repeated', type: 'integer', example: 400 })
  readonly statusCode!: number;

  @ApiProperty({ description: 'The status text', example: 'Bad Request' })
  readonly error!: string;

  @ApiProperty({ description: 'What was wrong, for people', example: 'text should not be empty' })
  readonly message!: string;

  @ApiProperty({
    description: 'The `x-request-id` of the request, also in the response header and the logs',
    example: '44559c15-e5af-4511-adb1-81c640c50f87',
  })
  readonly requestId!: string;
}
