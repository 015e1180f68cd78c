import { BridgeError } from '../errors.js';

/** A control request failed: bad parameters, an unknown id, or the operation itself. Crosses both transports. */
export class ControlError extends BridgeError {
  override name = 'ControlError';
  constructor(
    message: string,
    override readonly code: 'bad_request' | 'not_found' | 'failed',
    /** Bad parameters, by field (`row_limit`, `auth.user`): a form shows each next to its field. */
    readonly fields?: Record<string, string>,
  ) {
    super(message, code);
  }
}
