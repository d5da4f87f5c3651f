export { normalizeDocument } from './normalize.ts';
export { DocumentError, DOCUMENT_ERROR_CODES, isDocumentErrorCode, type DocumentErrorCode } from './errors.ts';
export {
  DOCUMENT_FORMATS,
  MAX_DOCUMENT_BYTES,
  SCHEMA_VERSION,
  type DocumentFormat,
  type DocumentMeta,
  type DocumentSummary,
  type NormalizedDocument,
} from './document.ts';
export { canonicalUrl, siteOf } from './url.ts';
export { documentIdForKey } from './hash.ts';
