import { HttpException, HttpStatus } from '@nestjs/common';

/** A request body that does not follow the protocol's schema; the message says where. */
export class ProtocolRequestError extends HttpException {
  constructor(message: string, status: HttpStatus = HttpStatus.BAD_REQUEST) {
    super(message, status);
  }
}

/** An input longer than the model's maximum length, sent with truncation off (TEI's default). */
export class InputTooLongError extends HttpException {
  constructor(
    field: string,
    readonly maxTokens: number,
  ) {
    super(
      `${field} is longer than the model's maximum input length of ${maxTokens} tokens; send "truncate": true to cut it`,
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
}
