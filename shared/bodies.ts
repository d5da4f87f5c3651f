import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Where a body too large for its DynamoDB item is kept. Stored on the item as `bodyRef`, in
 * place of `body`; `bytes` is the body's UTF-8 length.
 */
export interface BodyRef {
  bucket: string;
  key: string;
  bytes: number;
}

/** The large-body store: S3 in every deployment, any object in tests. */
export interface BodyStore {
  /**
   * Stores a body and returns its reference. Idempotent: the key depends only on the
   * arguments, so a re-delivered event rewrites the same object.
   */
  put(id: string, version: string, contentHash: string, body: string): Promise<BodyRef>;
  /** The body in full, or null when the object no longer exists (the document changed since). */
  get(ref: BodyRef): Promise<string | null>;
  /** Deletes a body no item references any more. Deleting a missing object succeeds. */
  delete(ref: BodyRef): Promise<void>;
}

/**
 * The object key of a body: `bodies/<id>/<version>-<contentHash>.txt`, where `version` is the
 * S3 event sequencer that wrote it. One key per event (not per content), so removing the
 * body of a superseded version can never remove the body a newer version points at, even when
 * the two versions have the same content.
 *
 * @example
 * bodyKey('d0123', '0000000000000000000000000000000A', 'ab12') // 'bodies/d0123/0000000000000000000000000000000A-ab12.txt'
 */
export function bodyKey(id: string, version: string, contentHash: string): string {
  return `bodies/${id}/${version}-${contentHash}.txt`;
}

/**
 * A {@link BodyStore} on an S3 bucket.
 *
 * @example
 * const bodies = createS3BodyStore({ s3: new S3Client({}), bucket: process.env.BODIES_BUCKET! });
 * const ref = await bodies.put(doc.id, sequencer, doc.contentHash, doc.body);
 * const body = await bodies.get(ref);
 */
export function createS3BodyStore(options: { s3: S3Client; bucket: string }): BodyStore {
  const { s3, bucket } = options;
  return {
    async put(id, version, contentHash, body) {
      const bytes = Buffer.from(body, 'utf8');
      const key = bodyKey(id, version, contentHash);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: 'text/plain; charset=utf-8',
        }),
      );
      return { bucket, key, bytes: bytes.byteLength };
    },

    async get(ref) {
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
        if (response.Body === undefined) return '';
        return await response.Body.transformToString('utf-8');
      } catch (error) {
        if (error instanceof NoSuchKey || isNotFound(error)) return null;
        throw error;
      }
    },

    async delete(ref) {
      await s3.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    },
  };
}

// Some S3 implementations answer a missing key with a bare 404 that the SDK cannot map to
// NoSuchKey (no error code in the body).
function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    '$metadata' in error &&
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
  );
}
