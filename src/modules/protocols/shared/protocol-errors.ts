import { HttpException, HttpStatus } from '@nestjs/common';

/** A request body that does not follow the protocol's schema; the message says where. */
export class ProtocolRequestError extends HttpException {
  constructor(message: string, status: HttpStatus = HttpStatus.BAD_REQUEST) {
    super(message, status);
  }
}
