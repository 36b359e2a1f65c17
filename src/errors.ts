/**
 * A mistake in what the user gave the gate: an input, the env file, the config file. It is shown as
 * its message alone (no stack), ends the CLI with exit code 2 and fails the step.
 * The message names the input, file or URL and says what to do; it never contains a secret.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The message of anything thrown, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
