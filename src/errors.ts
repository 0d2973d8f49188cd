/** Bad input from a user: the CLI prints the message on one line and exits with status 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
