// An error caused by what the user gave us (a flag, a file, a dataset line, a request field).
// The CLI prints its message without a stack trace; the HTTP layer maps it to a 400.
export class UserError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
