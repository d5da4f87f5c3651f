import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { documentIdForKey } from './hash.ts';
import { s3EventNotification } from './s3-event.ts';
import type { DocumentStore } from './store/index.ts';

export interface ReplayOptions {
  s3: S3Client;
  bucket: string;
  /** Only keys that start with this. @default '' (everything) */
  prefix?: string;
  store: Pick<DocumentStore, 'getObjectVersions'>;
  region: string;
}

/**
 * Builds an `ObjectCreated` event for every object under a prefix, to run it through the parser
 * again (after a parser upgrade). Each replay carries the sequencer of the event that decided
 * the object's current state, so it re-applies that state with the new parser and can never
 * outrank a newer upload or delete still on its way. Objects whose item is a tombstone (deleted,
 * then uploaded again, with the new upload's event still queued) are left to that event.
 *
 * @example
 * for await (const body of replayEvents({ s3, bucket: 'documents', prefix: 'news/', store, region })) queue.send(body);
 */
export async function* replayEvents(options: ReplayOptions): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await options.s3.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix ?? '', ContinuationToken: token }),
    );
    const objects = (page.Contents ?? []).filter((object): object is typeof object & { Key: string } => object.Key !== undefined);
    const ids = objects.map((object) => documentIdForKey(object.Key));
    // One batch of reads per listing page (up to 1,000 keys), not one read per object.
    const versions = await options.store.getObjectVersions(ids);
    for (const [i, object] of objects.entries()) {
      const version = versions.get(ids[i]!);
      if (version?.state === 'deleted') continue;
      const requestId = `REPLAY${randomBytes(5).toString('hex').toUpperCase()}`;
      yield JSON.stringify(
        s3EventNotification({
          bucket: options.bucket,
          key: object.Key,
          eventName: 'ObjectCreated:Put',
          sequencer: version?.sequencer ?? '0',
          size: object.Size ?? 0,
          eTag: (object.ETag ?? '').replace(/"/g, ''),
          region: options.region,
          requestId,
        }),
      );
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
