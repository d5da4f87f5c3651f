/**
 * Why a document could not be normalized. The set is closed: callers (the parser function,
 * the API's failure listing, the CLI) switch on it, and it is documented in the README.
 */
export const DOCUMENT_ERROR_CODES = [
  'empty',
  'unsupported_format',
  'invalid_encoding',
  'too_large',
  'malformed',
  'too_complex',
] as const;

export type DocumentErrorCode = (typeof DOCUMENT_ERROR_CODES)[number];

/**
 * A document that cannot become a normalized document, with a machine-readable `code`
 * and a one-sentence human `message`. Permanent: retrying the same bytes gives the same error.
 *
 * @example
 * try {
 *   normalizeDocument(bytes, { key });
 * } catch (error) {
 *   if (error instanceof DocumentError) console.error(`${key}: ${error.code}: ${error.message}`);
 *   else throw error;
 * }
 */
export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  readonly code: DocumentErrorCode;

  constructor(code: DocumentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isDocumentErrorCode(value: unknown): value is DocumentErrorCode {
  return typeof value === 'string' && (DOCUMENT_ERROR_CODES as readonly string[]).includes(value);
}
