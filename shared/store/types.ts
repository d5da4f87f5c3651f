import type { DocumentSummary, NormalizedDocument } from '../document.ts';
import type { DocumentErrorCode } from '../errors.ts';

/** A stored document: the normalized document plus when this version was ingested. */
export type StoredDocument = NormalizedDocument & {
  /** ISO time the parser wrote this version. */
  ingestedAt: string;
};

/** A stored document without its body, as listings return it. */
export type StoredSummary = DocumentSummary & {
  ingestedAt: string;
};

/** Why an object did not become a document, as the failures listing returns it. */
export interface FailureRecord {
  id: string;
  /** The S3 key of the object. */
  sourceKey: string;
  code: DocumentErrorCode;
  /** One human sentence. */
  message: string;
  /** ISO time the parser recorded the failure. */
  failedAt: string;
  /** The S3 sequencer of the upload that failed, normalized (32 upper-case hex digits). */
  sequencer: string;
}

/** The S3 event a write comes from: what orders writes to one object. */
export interface ObjectEvent {
  bucket: string;
  /** The decoded object key. */
  key: string;
  /** The event's sequencer as S3 sent it (hex, any length up to 32). */
  sequencer: string;
  /** ISO time of the event. */
  eventTime: string;
  /**
   * Identifies the event itself (S3 request id, event name and time): a re-delivery carries
   * the same value. Only consulted when two events have the same sequencer, which real S3
   * never sends for two different events but emulators do.
   */
  eventId: string;
}

/**
 * What a write did. `written`: this event is now the object's state. `duplicate`: this event
 * had already been applied (a re-delivery); nothing changed except repairing index entries.
 * `stale`: a newer event already decided the object's state; nothing changed.
 */
export type WriteOutcome = 'written' | 'duplicate' | 'stale';

/** A failure to record for an object. */
export interface FailureInput {
  id: string;
  code: DocumentErrorCode;
  message: string;
}

/** One page of a newest-first listing. */
export interface Page<T> {
  items: T[];
  /**
   * Position after the last item (pass it as `after` for the next page), or null when there
   * is no next page. A plain sort-key string: the API signs it before handing it out.
   */
  next: string | null;
}

/** Filters of {@link DocumentReader.listDocuments}. At most one of `site` and `author` is typical; both is allowed. */
export interface ListDocumentsQuery {
  /** Host, as in the document's `site` (case and a leading `www.` are ignored). */
  site?: string;
  /** Author name (compared after NFKC, lower-casing and white-space collapsing). */
  author?: string;
  /** Earliest `publishedAt`, inclusive: `YYYY-MM-DD` or a prefix of an ISO time. Excludes undated documents. */
  from?: string;
  /** Latest `publishedAt`, inclusive of everything that starts with it (`2019-11` is the whole month). Excludes undated documents. */
  to?: string;
  /** Page size, 1 to 1000. */
  limit: number;
  /** `next` of the previous page. */
  after?: string | null;
}

/** Filters of {@link DocumentReader.listFailures}. */
export interface ListFailuresQuery {
  /** Page size, 1 to 1000. */
  limit: number;
  after?: string | null;
}

/** Every read the API makes. Implementations never Scan. */
export interface DocumentReader {
  /**
   * One document with its body in full (fetched from the bodies bucket when it is stored
   * there), or null when the id is unknown, failed or deleted.
   */
  getDocument(id: string): Promise<StoredDocument | null>;
  /**
   * The documents whose canonical URL equals `url` after canonicalization (tracking
   * parameters and fragment removed), newest first; [] for a URL that cannot be canonical.
   * Several documents can share a URL (the same article uploaded under two keys).
   */
  getDocumentsByUrl(url: string): Promise<StoredSummary[]>;
  /** Documents newest first (undated last), optionally by site, author and date range. */
  listDocuments(query: ListDocumentsQuery): Promise<Page<StoredSummary>>;
  /** Failed ingestions, newest first. */
  listFailures(query: ListFailuresQuery): Promise<Page<FailureRecord>>;
}

/**
 * Every write the parser makes. Each applies only when its event is newer than the one that
 * decided the object's current state (S3 sequencer order), so out-of-order and repeated
 * deliveries converge on the newest event's outcome.
 */
export interface DocumentWriter {
  /** Stores a normalized document as the state of `event.key`. */
  putDocument(document: NormalizedDocument, event: ObjectEvent): Promise<WriteOutcome>;
  /** Records that `event.key` could not be normalized, replacing any document it had. */
  putFailure(failure: FailureInput, event: ObjectEvent): Promise<WriteOutcome>;
  /** Records that `event.key` was deleted: removes its document and index entries. */
  deleteDocument(id: string, event: ObjectEvent): Promise<WriteOutcome>;
}

/** Which event decided an object's current state. */
export interface ObjectVersion {
  state: 'document' | 'failed' | 'deleted';
  /** Normalized sequencer (32 upper-case hex digits). */
  sequencer: string;
}

/** The table access layer: what the parser and the API depend on. */
export interface DocumentStore extends DocumentReader, DocumentWriter {
  /**
   * The state and sequencer of each object's item (strongly consistent reads, 100 ids per
   * BatchGetItem), by id; ids never seen are absent. `ingest reprocess` replays an object at
   * this sequencer, so a replay never outranks a newer event.
   */
  getObjectVersions(ids: readonly string[]): Promise<Map<string, ObjectVersion>>;
}
