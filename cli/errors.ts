// How the CLI reports an error to a person: one line, whatever threw it.
import { CliError } from './target.ts';

/**
 * One line for an error: a CliError's sentence, or an SDK or system error's name, message and
 * HTTP status or error code, with any line breaks folded.
 *
 * @example
 * describeError(new CliError('No outputs file.')) // 'No outputs file.'
 */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (!(error instanceof Error)) return String(error);
  // Connection failures arrive as an AggregateError with no message of its own.
  const inner = error instanceof AggregateError && error.message === '' ? (error.errors[0] as unknown) : error;
  const cause = inner instanceof Error ? inner : error;
  const details = cause as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = details.$metadata?.httpStatusCode;
  const suffix = status !== undefined ? ` (HTTP ${status})` : details.code !== undefined && !cause.message.includes(details.code) ? ` (${details.code})` : '';
  const name = cause.name === 'Error' ? '' : `${cause.name}: `;
  return `${name}${cause.message || 'no message'}${suffix}`.replace(/\s*\n\s*/g, ' ');
}
