// The embedded S3's object store: the object half of what s3rver asks of its store, built so
// that every key S3 accepts can be kept. s3rver's own store names an object's files after its
// key, so a segment longer than a file name may be (255 bytes) cannot be written, `..` climbs
// out of the bucket's folder, and `.` or empty segments fold into other keys. Here an object's
// files are named by the SHA-256 of its key, and the key itself is kept in the object's record.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);

/** The folder inside each bucket's folder where its objects are kept. */
export const OBJECTS_FOLDER = '.objects';

// What s3rver's old layout appends to a key to name the object's three files.
const OLD_SUFFIX = '._S3rver_';
const OLD_OBJECT_SUFFIX = `${OLD_SUFFIX}object`;
// s3rver's multipart uploads in progress, beside the bucket's objects.
const UPLOADS_FOLDER = `${OLD_SUFFIX}uploads`;

/** One stored object, as its record file keeps it (`<hash>.json`). */
export interface StoredObject {
  /** The object's key, exactly as the client sent it. */
  key: string;
  size: number;
  /** Hex MD5 of the bytes: the ETag without its quotes. */
  md5: string;
  /** ISO time of the write. */
  lastModified: string;
  /** The headers S3 keeps with an object: s3rver's allowed set and `x-amz-meta-*`. */
  metadata: Record<string, string>;
  /** Sub-resources of the object (s3rver keeps `tagging`), as XML. */
  subresources?: Record<string, string>;
}

// The parts of s3rver's models and file-system store used here; s3rver ships no types.
interface S3rverObjectModel {
  readonly bucket: string;
  readonly key: string;
  readonly content: NodeJS.ReadableStream | Buffer | null;
  readonly metadata: Record<string, string | number>;
  range?: { start: number; end: number };
}
type S3rverObjectConstructor = (new (bucket: string, key: string, content: NodeJS.ReadableStream | null, metadata: Record<string, string | number>) => S3rverObjectModel) & {
  readonly ALLOWED_METADATA: readonly string[];
};
interface ConfigModel {
  readonly type: string;
  toXML(space?: number): string;
}
type ConfigModelConstructor = new (xml: string) => ConfigModel;
interface S3rverBucket {
  readonly name: string;
}
interface S3rverFilesystemStore {
  getBucket(bucket: string): Promise<S3rverBucket | null>;
  putBucket(bucket: string): Promise<S3rverBucket | null>;
  listBuckets(): Promise<S3rverBucket[]>;
  deleteBucket(bucket: string): Promise<void>;
  reset(): void;
  initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, string>): Promise<void>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<ConfigModel | null>;
  putSubresource(bucket: string, key: string | undefined, resource: ConfigModel): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
}
type S3rverFilesystemStoreConstructor = new (directory: string) => S3rverFilesystemStore;

const S3Object = require('s3rver/lib/models/object') as S3rverObjectConstructor;
const FilesystemStore = require('s3rver/lib/stores/filesystem') as S3rverFilesystemStoreConstructor;
const { getConfigModel } = require('s3rver/lib/models/config') as { getConfigModel(type: string): ConfigModelConstructor };

/** The file-name stem of a key's files: hex SHA-256 of its UTF-8 bytes. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Orders keys as S3 lists them: by their UTF-8 bytes, which is code point order. JavaScript's
 * own `<` compares UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF.
 *
 * @example
 * ['\u{1F600}', '\uFFFD'].sort(compareKeys) // ['\uFFFD', '\u{1F600}']
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** The first index in sorted `keys` whose key is not below `key` (or above it, with `after`). */
function bisect(keys: readonly string[], key: string, after = false): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareKeys(keys[middle]!, key);
    if (order < 0 || (after && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The objects of one bucket: records by key, and the keys in S3's listing order. */
class BucketObjects {
  readonly byKey = new Map<string, StoredObject>();
  private sorted: string[] = [];

  constructor(readonly folder: string) {}

  load(records: StoredObject[]): void {
    for (const record of records) this.byKey.set(record.key, record);
    this.sorted = [...this.byKey.keys()].sort(compareKeys);
  }

  set(record: StoredObject): void {
    if (!this.byKey.has(record.key)) this.sorted.splice(bisect(this.sorted, record.key), 0, record.key);
    this.byKey.set(record.key, record);
  }

  delete(key: string): void {
    if (!this.byKey.delete(key)) return;
    this.sorted.splice(bisect(this.sorted, key), 1);
  }

  /** Keys from the first one above `after` (or from the start), in listing order. */
  *keysFrom(start: string, after: boolean): Generator<string> {
    for (let i = bisect(this.sorted, start, after); i < this.sorted.length; i++) yield this.sorted[i]!;
  }
}

/** What {@link KeySafeStore.list} is asked. */
export interface ListRequest {
  prefix?: string;
  delimiter?: string;
  /** Only keys (and common prefixes) above this one. */
  startAfter?: string;
  /** Set when `startAfter` was a common prefix: everything under it was listed already. */
  startAfterPrefix?: boolean;
  maxKeys: number;
}

/** One page of a listing, in S3's order, objects and common prefixes together. */
export interface ListPage {
  readonly items: ReadonlyArray<{ readonly object: StoredObject } | { readonly commonPrefix: string }>;
  readonly isTruncated: boolean;
}

/** Raised by a read when the key names no object. */
const missing = (): NodeJS.ErrnoException => Object.assign(new Error('No such object.'), { code: 'ENOENT' });

/**
 * Runs `work` after every earlier `work` queued for the same id has settled: the writes and
 * opens of one key never interleave, so a reader never sees a record beside another body.
 */
class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(id) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return result;
  }
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/**
 * The embedded S3's store: s3rver's file-system store for buckets, bucket configuration and
 * multipart parts, and its own layout for objects. In each bucket's folder:
 *
 * - `.objects/<sha256(key)>.json`: the record (key, size, MD5, time, metadata);
 * - `.objects/<sha256(key)>.<md5>.body`: the bytes.
 *
 * A write streams to a temporary file, renames it to its body name, then replaces the record:
 * the record is the commit, so a crash leaves the old object or the new one, never a mix, and
 * a body no record names is removed on the next start. Objects kept in s3rver's own layout (one
 * file per object, named after its key) are moved into this one when the store opens.
 *
 * Keys are held in memory, sorted as S3 lists them, so a listing reads no folder. One store
 * owns its folder: two processes must not share one.
 *
 * @example
 * const store = await KeySafeStore.open('.ingest/s3');
 * server.store = server.context.store = store; // in place of s3rver's own
 */
export class KeySafeStore {
  private readonly buckets = new Map<string, Promise<BucketObjects>>();
  private readonly locks = new KeyLocks();
  private readonly files: S3rverFilesystemStore;

  private constructor(readonly rootDirectory: string) {
    this.files = new FilesystemStore(rootDirectory);
  }

  /** Opens the store: moves objects kept in s3rver's layout into this one, and loads the keys. */
  static async open(rootDirectory: string): Promise<KeySafeStore> {
    await mkdir(rootDirectory, { recursive: true });
    const store = new KeySafeStore(rootDirectory);
    for (const bucket of await store.files.listBuckets()) await store.bucketObjects(bucket.name);
    return store;
  }

  // Buckets, their configuration and multipart parts: s3rver's store, whose paths for these
  // are the bucket's name and s3rver's own file names.

  getBucket(bucket: string): Promise<S3rverBucket | null> {
    return this.files.getBucket(bucket);
  }

  async putBucket(bucket: string): Promise<S3rverBucket | null> {
    const made = await this.files.putBucket(bucket);
    await this.bucketObjects(bucket);
    return made;
  }

  listBuckets(): Promise<S3rverBucket[]> {
    return this.files.listBuckets();
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.files.deleteBucket(bucket);
    this.buckets.delete(bucket);
  }

  reset(): void {
    this.files.reset();
    this.buckets.clear();
  }

  initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, string>): Promise<void> {
    return this.files.initiateUpload(bucket, key, uploadId, metadata);
  }

  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }> {
    return this.files.putPart(bucket, uploadId, partNumber, content);
  }

  /** Completes a multipart upload: the parts, in order, become one object. */
  async putObjectMultipart(bucket: string, uploadId: string, parts: ReadonlyArray<{ number: number }>): Promise<{ size: number; md5: string }> {
    const uploadFolder = join(this.rootDirectory, bucket, UPLOADS_FOLDER, uploadId);
    const [key, metadata] = await Promise.all([
      readFile(join(uploadFolder, 'key'), 'utf8'),
      readFile(join(uploadFolder, 'metadata'), 'utf8').then((text) => JSON.parse(text) as Record<string, string>),
    ]);
    const ordered = [...parts].sort((a, b) => a.number - b.number).map((part) => join(uploadFolder, String(part.number)));
    const content = Readable.from(
      (async function* () {
        for (const path of ordered) {
          const handle = await open(path);
          try {
            yield* handle.createReadStream({ autoClose: false });
          } finally {
            await handle.close();
          }
        }
      })(),
    );
    const result = await this.putObject(new S3Object(bucket, key, content, metadata));
    await rm(uploadFolder, { recursive: true, force: true });
    return result;
  }

  async getSubresource(bucket: string, key: string | undefined, type: string): Promise<ConfigModel | null> {
    if (key === undefined) return this.files.getSubresource(bucket, key, type);
    const xml = (await this.bucketObjects(bucket)).byKey.get(key)?.subresources?.[type];
    return xml === undefined ? null : new (getConfigModel(type))(xml);
  }

  async putSubresource(bucket: string, key: string | undefined, resource: ConfigModel): Promise<void> {
    if (key === undefined) return this.files.putSubresource(bucket, key, resource);
    await this.update(bucket, key, (record) => ({ ...record, subresources: { ...record.subresources, [resource.type]: resource.toXML(2) } }));
  }

  async deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void> {
    if (key === undefined) return this.files.deleteSubresource(bucket, key, type);
    await this.update(bucket, key, (record) => {
      const { [type]: _removed, ...rest } = record.subresources ?? {};
      return { ...record, subresources: rest };
    });
  }

  // Objects: this store's own layout.

  async existsObject(bucket: string, key: string): Promise<boolean> {
    return (await this.bucketObjects(bucket)).byKey.has(key);
  }

  /** The record of an object, or undefined. */
  async record(bucket: string, key: string): Promise<StoredObject | undefined> {
    return (await this.bucketObjects(bucket)).byKey.get(key);
  }

  /** The headers s3rver serves with an object; rejects with ENOENT when there is none. */
  async getMetadata(bucket: string, key: string): Promise<Record<string, string | number>> {
    const record = await this.record(bucket, key);
    if (!record) throw missing();
    return headersOf(record);
  }

  /** The object with a stream of its bytes (or of the range asked for), or null. */
  async getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<S3rverObjectModel | null> {
    const objects = await this.bucketObjects(bucket);
    const hash = keyHash(key);
    // The record and its body are read together, so a write in between cannot pair them wrongly.
    const opened = await this.locks.run(lockId(objects, hash), async () => {
      const record = objects.byKey.get(key);
      if (!record) return null;
      return { record, handle: await open(join(objects.folder, bodyName(hash, record.md5))) };
    });
    if (!opened) return null;
    const { record, handle } = opened;
    const metadata = headersOf(record);
    const lastByte = Math.max(0, record.size - 1);
    const ranged = options !== undefined && (options.start !== undefined || options.end !== undefined);
    const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Infinity, lastByte) };
    if (range.start < 0 || range.end < range.start) {
      // Not satisfiable: s3rver answers InvalidRange for an object with a range and no content.
      await handle.close();
      const object = new S3Object(bucket, key, null, metadata);
      if (ranged) object.range = range;
      return object;
    }
    const object = new S3Object(bucket, key, handle.createReadStream({ start: range.start, end: range.end }), metadata);
    if (ranged) object.range = range;
    return object;
  }

  /** Stores an object from its bytes (a stream or a buffer) and the request's headers. */
  async putObject(object: S3rverObjectModel): Promise<{ size: number; md5: string }> {
    const objects = await this.bucketObjects(object.bucket);
    const temporary = temporaryPath(objects.folder);
    const digest = createHash('md5');
    let size = 0;
    const source = object.content === null ? Readable.from([]) : Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            digest.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(temporary),
      );
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const md5 = digest.digest('hex');
    await this.commit(objects, temporary, { key: object.key, size, md5, lastModified: new Date().toISOString(), metadata: keptMetadata(object.metadata) });
    return { size, md5 };
  }

  /** Copies an object; with `replacementMetadata`, the copy takes those headers instead. */
  async copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata: Record<string, string> | null): Promise<Record<string, string | number>> {
    const from = await this.bucketObjects(srcBucket);
    const to = await this.bucketObjects(destBucket);
    const hash = keyHash(srcKey);
    const temporary = temporaryPath(to.folder);
    const record = await this.locks.run(lockId(from, hash), async () => {
      const found = from.byKey.get(srcKey);
      if (!found) throw missing();
      await copyFile(join(from.folder, bodyName(hash, found.md5)), temporary);
      return found;
    });
    const copy: StoredObject = {
      key: destKey,
      size: record.size,
      md5: record.md5,
      lastModified: new Date().toISOString(),
      metadata: replacementMetadata ? keptMetadata(replacementMetadata) : record.metadata,
    };
    await this.commit(to, temporary, copy);
    return headersOf(copy);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const objects = await this.bucketObjects(bucket);
    const hash = keyHash(key);
    await this.locks.run(lockId(objects, hash), async () => {
      const record = objects.byKey.get(key);
      if (!record) return;
      await unlink(join(objects.folder, recordName(hash)));
      objects.delete(key);
      await rm(join(objects.folder, bodyName(hash, record.md5)), { force: true });
    });
  }

  /**
   * One page of keys as S3 lists them: in UTF-8 byte order, from after `startAfter`, keys
   * below `prefix`, and with a `delimiter` the keys that hold it past the prefix rolled up
   * into one common prefix each. Objects and common prefixes both count towards `maxKeys`.
   */
  async list(bucket: string, request: ListRequest): Promise<ListPage> {
    const objects = await this.bucketObjects(bucket);
    const prefix = request.prefix ?? '';
    const delimiter = request.delimiter ?? '';
    const after = request.startAfter ?? '';
    const items: Array<{ object: StoredObject } | { commonPrefix: string }> = [];
    const start = compareKeys(after, prefix) > 0 ? after : prefix;
    let lastPrefix = request.startAfterPrefix ? after : undefined;
    for (const key of objects.keysFrom(start, start === after && after !== '')) {
      if (!key.startsWith(prefix)) break;
      if (lastPrefix !== undefined && key.startsWith(lastPrefix)) continue;
      const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (items.length === request.maxKeys) return { items, isTruncated: true };
      if (at === -1) {
        items.push({ object: objects.byKey.get(key)! });
      } else {
        lastPrefix = key.slice(0, at + delimiter.length);
        items.push({ commonPrefix: lastPrefix });
      }
    }
    return { items, isTruncated: false };
  }

  /** s3rver's listing call (it lists to check that a bucket is empty before deleting it). */
  async listObjects(bucket: string, options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number }) {
    const page = await this.list(bucket, { ...options, maxKeys: options.maxKeys ?? 1000 });
    return {
      objects: page.items.flatMap((item) => ('object' in item ? [new S3Object(bucket, item.object.key, null, headersOf(item.object))] : [])),
      commonPrefixes: page.items.flatMap((item) => ('commonPrefix' in item ? [item.commonPrefix] : [])),
      isTruncated: page.isTruncated,
    };
  }

  /** Replaces an object's body (already written to `temporary`) and record. */
  private async commit(objects: BucketObjects, temporary: string, record: StoredObject): Promise<void> {
    const hash = keyHash(record.key);
    await this.locks.run(lockId(objects, hash), async () => {
      const previous = objects.byKey.get(record.key);
      try {
        await rename(temporary, join(objects.folder, bodyName(hash, record.md5)));
        await writeRecord(objects.folder, hash, record);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      objects.set(record);
      if (previous && previous.md5 !== record.md5) await rm(join(objects.folder, bodyName(hash, previous.md5)), { force: true });
    });
  }

  /** Rewrites an object's record; rejects with ENOENT when the key names no object. */
  private async update(bucket: string, key: string, change: (record: StoredObject) => StoredObject): Promise<void> {
    const objects = await this.bucketObjects(bucket);
    const hash = keyHash(key);
    await this.locks.run(lockId(objects, hash), async () => {
      const record = objects.byKey.get(key);
      if (!record) throw missing();
      const changed = change(record);
      await writeRecord(objects.folder, hash, changed);
      objects.set(changed);
    });
  }

  /** A bucket's objects, read from its folder the first time (after moving any old layout). */
  private bucketObjects(bucket: string): Promise<BucketObjects> {
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = loadBucket(join(this.rootDirectory, bucket));
      this.buckets.set(bucket, objects);
      // A failed load is tried again by the next call.
      objects.catch(() => this.buckets.delete(bucket));
    }
    return objects;
  }
}

async function loadBucket(bucketFolder: string): Promise<BucketObjects> {
  const folder = join(bucketFolder, OBJECTS_FOLDER);
  // Not recursive: a bucket that does not exist fails here rather than being made.
  await mkdir(folder).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  await migrateOldLayout(bucketFolder, folder);
  const objects = new BucketObjects(folder);
  objects.load(await readRecords(folder));
  return objects;
}

const lockId = (objects: BucketObjects, hash: string): string => `${objects.folder}\u0000${hash}`;
const recordName = (hash: string): string => `${hash}.json`;
const bodyName = (hash: string, md5: string): string => `${hash}.${md5}.body`;
const temporaryPath = (folder: string): string => join(folder, `${randomBytes(12).toString('hex')}.tmp`);

/** The headers S3 keeps with an object, from a request's headers. */
function keptMetadata(headers: Record<string, string | number>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of S3Object.ALLOWED_METADATA) if (headers[name] !== undefined) kept[name] = String(headers[name]);
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-amz-meta-')) kept[name] = String(value);
  return kept;
}

/** The headers served with an object: what it keeps, its ETag, time and length. */
function headersOf(record: StoredObject): Record<string, string | number> {
  return { ...record.metadata, etag: JSON.stringify(record.md5), 'last-modified': new Date(record.lastModified).toUTCString(), 'content-length': record.size };
}

async function writeRecord(folder: string, hash: string, record: StoredObject): Promise<void> {
  const temporary = temporaryPath(folder);
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, join(folder, recordName(hash)));
}

/** Every record in an objects folder; removes what a crash left: temporary files, unnamed bodies. */
async function readRecords(folder: string): Promise<StoredObject[]> {
  const names = await readdir(folder);
  const records: StoredObject[] = [];
  const bodies = new Set<string>();
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const record = JSON.parse(await readFile(join(folder, name), 'utf8')) as StoredObject;
    records.push(record);
    bodies.add(bodyName(name.slice(0, -'.json'.length), record.md5));
  }
  for (const name of names) {
    if (!name.endsWith('.json') && !bodies.has(name)) await rm(join(folder, name), { force: true });
  }
  return records;
}

/**
 * Moves the objects a bucket's folder holds in s3rver's own layout (`<key>._S3rver_object`,
 * with `.md5` and `_metadata.json` beside it, in folders along the key's segments) into the
 * objects folder, then removes the folders that held them. Idempotent: a move cut short by a
 * crash is finished on the next start.
 */
async function migrateOldLayout(bucketFolder: string, objectsFolder: string): Promise<void> {
  for (const path of await oldObjectFiles(bucketFolder)) {
    const key = relative(bucketFolder, path).split(sep).join('/').slice(0, -OLD_OBJECT_SUFFIX.length);
    const base = path.slice(0, -'object'.length);
    const md5 = await readFile(`${path}.md5`, 'utf8').catch(async (error: unknown) => {
      if (!isMissing(error)) throw error;
      return md5OfFile(path);
    });
    const metadata = await readFile(`${base}metadata.json`, 'utf8').then(
      (text) => keptMetadata(JSON.parse(text) as Record<string, string>),
      (error: unknown) => {
        if (!isMissing(error)) throw error;
        return {};
      },
    );
    const tagging = await readFile(`${base}tagging.xml`, 'utf8').catch((error: unknown) => {
      if (!isMissing(error)) throw error;
      return undefined;
    });
    const { size, mtime } = await stat(path);
    const hash = keyHash(key);
    const record: StoredObject = { key, size, md5, lastModified: mtime.toISOString(), metadata, ...(tagging === undefined ? {} : { subresources: { tagging } }) };
    await rename(path, join(objectsFolder, bodyName(hash, md5)));
    await writeRecord(objectsFolder, hash, record);
    for (const leftover of [`${path}.md5`, `${base}metadata.json`, `${base}tagging.xml`]) await rm(leftover, { force: true });
  }
  await removeEmptyFolders(bucketFolder, bucketFolder);
}

/** The `._S3rver_object` files under a bucket's folder, outside the objects and uploads folders. */
async function oldObjectFiles(folder: string, top = true): Promise<string[]> {
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return found;
    throw error;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (top && (entry.name === OBJECTS_FOLDER || entry.name === UPLOADS_FOLDER)) continue;
      found.push(...(await oldObjectFiles(path, false)));
    } else if (entry.name.endsWith(OLD_OBJECT_SUFFIX)) {
      found.push(path);
    }
  }
  return found;
}

/** Removes the empty folders below `folder` (not the objects or uploads folders). */
async function removeEmptyFolders(folder: string, bucketFolder: string): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true });
  let empty = true;
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const kept = folder === bucketFolder && (entry.name === OBJECTS_FOLDER || entry.name === UPLOADS_FOLDER);
    if (entry.isDirectory() && !kept && (await removeEmptyFolders(path, bucketFolder))) continue;
    empty = false;
  }
  if (empty && folder !== bucketFolder) await rmdir(folder);
  return empty;
}

async function md5OfFile(path: string): Promise<string> {
  const digest = createHash('md5');
  const handle = await open(path);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) digest.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return digest.digest('hex');
}
