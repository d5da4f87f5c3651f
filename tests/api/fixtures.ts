// A real table behind the app: dynalite and s3rver (tests/helpers/emulators.ts), seeded through
// the store's write API with documents the normalizer made, plus failures and one body too big
// for an item. The reference order and filters are computed here independently of the store.
import { createS3BodyStore } from '../../shared/bodies.ts';
import type { NormalizedDocument } from '../../shared/document.ts';
import { documentIdForKey, normalizeDocument } from '../../shared/index.ts';
import {
  createDynamoStore,
  documentSortKey,
  type DocumentStore,
  type FailureInput,
  type ObjectEvent,
} from '../../shared/store/index.ts';
import { createApp, type ApiApp } from '../../functions/api/app.ts';
import type { AppConfig } from '../../functions/api/config.ts';
import { startEmulators, type Emulators } from '../helpers/emulators.ts';

export const CURSOR_SECRET = 'test-cursor-secret-0123456789';
/** The big body is larger than this: more than a DynamoDB item may hold (400 KB). */
export const BIG_BODY_BYTES = 400 * 1024;

/** Logged faults, for tests that assert on them. */
export interface CapturedLog {
  message: string;
  attributes: Record<string, unknown>;
}

export interface SeededTable {
  readonly emulators: Emulators;
  readonly store: DocumentStore;
  /** Every stored document, newest first (the API's order). */
  readonly documents: readonly NormalizedDocument[];
  /** The one whose body lives in S3. */
  readonly big: NormalizedDocument;
  /** Failures, newest first. */
  readonly failures: readonly (FailureInput & { key: string })[];
  /** Two documents (other keys) with the same canonical URL. */
  readonly sharedUrl: string;
  app(config?: Partial<AppConfig>, logs?: CapturedLog[]): ApiApp;
  stop(): Promise<void>;
}

export function eventFor(key: string, sequencer = '0A'): ObjectEvent {
  return { bucket: 'documents', key, sequencer, eventTime: '2024-06-01T00:00:00.000Z', eventId: `event-${key}-${sequencer}` };
}

const SITES = ['alpha.example', 'beta.example', 'gamma.example'];
const AUTHORS = [['Ana Lima'], ['Ana Lima', 'Bo Chen'], ['Bo Chen', 'Cy Dee', 'Ana Lima'], [], ['Dee Ortiz']];

/** The normalized document of a JSON upload at `key`. */
export function jsonUpload(key: string, fields: Record<string, unknown>): NormalizedDocument {
  return normalizeDocument(new TextEncoder().encode(JSON.stringify(fields)), { key });
}

/**
 * 48 documents over three years (several a day, some with full timestamps, 7 undated), three
 * sites (and some without a URL), overlapping authors, two keys sharing one URL, one body of
 * about 470 KB; and 23 failures.
 */
export function seedDocuments(): { documents: NormalizedDocument[]; sharedUrl: string } {
  const documents: NormalizedDocument[] = [];
  for (let i = 0; i < 46; i++) {
    const year = 2021 + (i % 3);
    const month = String(1 + ((i * 5) % 12)).padStart(2, '0');
    const day = String(1 + ((i * 7) % 28)).padStart(2, '0');
    const date = i % 7 === 3 ? undefined : i % 5 === 0 ? `${year}-${month}-${day}T${String(i % 24).padStart(2, '0')}:30:00+02:00` : `${year}-${month}-${day}`;
    const site = SITES[i % 3]!;
    documents.push(
      jsonUpload(`docs/${i}.json`, {
        title: `Story number ${i}`,
        authors: AUTHORS[i % AUTHORS.length],
        ...(date !== undefined ? { date } : {}),
        ...(i % 11 === 10 ? {} : { url: `https://www.${site}/news/${i}?utm_source=feed` }),
        body: `Paragraph one of story ${i} about the river trams.\n\nParagraph two with more words for story ${i}.`,
      }),
    );
  }
  const sharedUrl = 'https://alpha.example/shared/article?id=7';
  for (const key of ['mirror/a.json', 'mirror/b.json']) {
    documents.push(
      jsonUpload(key, {
        title: 'One article under two keys',
        authors: ['Eve Shared'],
        date: key.endsWith('a.json') ? '2022-08-09' : '2022-08-10',
        url: sharedUrl,
        body: 'The same story uploaded twice under different keys.',
      }),
    );
  }
  return { documents, sharedUrl };
}

export function bigDocument(): NormalizedDocument {
  const paragraph = 'A very long report paragraph that keeps going with plain words and nothing else. ';
  const body = Array.from({ length: 60 }, (_, i) => `${i}: ${paragraph.repeat(95)}`).join('\n\n');
  return jsonUpload('reports/big.json', {
    title: 'The very long report',
    authors: ['Ana Lima'],
    date: '2020-01-15',
    url: 'https://beta.example/reports/big',
    body,
  });
}

/** Newest first, undated last: what the API must return, by the stored sort key. */
export function byNewest(documents: readonly NormalizedDocument[]): NormalizedDocument[] {
  const key = (d: NormalizedDocument) => documentSortKey(d.publishedAt, d.id);
  return [...documents].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** Starts the emulators, seeds them, and builds apps on the seeded table. */
export async function seedTable(options: { withFailures?: boolean; withBig?: boolean } = {}): Promise<SeededTable> {
  const emulators = await startEmulators();
  let now = Date.parse('2024-06-01T00:00:00.000Z');
  const store = createDynamoStore({
    client: emulators.dynamodbClient(),
    tableName: emulators.tableName,
    bodies: createS3BodyStore({ s3: emulators.s3Client(), bucket: emulators.bodiesBucket }),
    clock: () => new Date((now += 1000)),
  });
  const { documents, sharedUrl } = seedDocuments();
  const big = bigDocument();
  if (options.withBig !== false) documents.push(big);
  for (const document of documents) await store.putDocument(document, eventFor(document.sourceKey!));

  const failures: (FailureInput & { key: string })[] = [];
  if (options.withFailures !== false) {
    const codes = ['empty', 'unsupported_format', 'invalid_encoding', 'malformed'] as const;
    for (let i = 0; i < 23; i++) {
      const key = `broken/${i}.bin`;
      const failure = { id: documentIdForKey(key), code: codes[i % codes.length]!, message: `Object ${i} could not be read.`, key };
      await store.putFailure({ id: failure.id, code: failure.code, message: failure.message }, eventFor(key));
      failures.push(failure);
    }
    failures.reverse(); // written one second apart: the last is the newest
  }

  return {
    emulators,
    store,
    documents: byNewest(documents),
    big,
    failures,
    sharedUrl,
    app(config = {}, logs) {
      return createApp({
        reader: store,
        config: { cursorSecret: CURSOR_SECRET, corsOrigins: ['*'], ...config },
        logger: { error: (message, attributes) => logs?.push({ message, attributes }) },
      });
    },
    stop: () => emulators.stop(),
  };
}
