/** The formats the normalizer reads. `article` is the scraped-news text format of `seeds/`. */
export const DOCUMENT_FORMATS = ['article', 'markdown', 'html', 'json', 'text'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** How the source bytes were decoded. */
/** How the source bytes were decoded, as a WHATWG encoding name (`utf-8`, `utf-16le`, `windows-1252`, ...). */
export type SourceEncoding = string;

/** Bumped whenever a field is added, removed or changes meaning. */
export const SCHEMA_VERSION = 1;

/**
 * One normalized document: what the parser stores and the API serves. Every field is
 * documented in the README's schema table.
 */
export interface NormalizedDocument {
  /** Stable id: from the S3 key when there is one, else from the bytes. */
  id: string;
  schemaVersion: number;
  /** The S3 key (or file path) the document came from, or null. */
  sourceKey: string | null;
  format: DocumentFormat;
  title: string;
  authors: string[];
  /** `YYYY-MM-DD`, a full UTC timestamp (`...Z`), or null. */
  publishedAt: string | null;
  imageCredit: string | null;
  /** Canonical original URL (no fragment, no tracking parameters), or null. */
  url: string | null;
  /** Host of `url` without `www.`, or null. */
  site: string | null;
  /** ISO 639-1 code, or null when unsure. */
  language: string | null;
  tags: string[];
  /** Article text only: paragraphs separated by one blank line, NFC, no CR or BOM. */
  body: string;
  excerpt: string;
  wordCount: number;
  readingTimeMinutes: number;
  /** SHA-256 (hex) of the normalized title and body: equal for the same article under any key. */
  contentHash: string;
  /** Size in bytes of the source object. */
  sourceBytes: number;
  encoding: SourceEncoding;
}

/** What the caller knows about the bytes. Both are hints; the content decides. */
export interface DocumentMeta {
  key?: string;
  contentType?: string;
  /** Largest input accepted, in bytes. @default MAX_DOCUMENT_BYTES (8 MiB) */
  maxBytes?: number;
}

/** Inputs larger than this are rejected with `too_large` unless `maxBytes` says otherwise. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

/** The fields of a document without its body, as list endpoints return them. */
export type DocumentSummary = Omit<NormalizedDocument, 'body'>;
