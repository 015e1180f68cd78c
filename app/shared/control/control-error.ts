/** A control request failed: bad parameters, an unknown id, or the operation itself. Crosses both transports. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly code: 'bad_request' | 'not_found' | 'failed',
  ) {
    super(message);
  }
}
