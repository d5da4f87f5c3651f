// A lean S3 uploader for the ingest benchmark: one SigV4-signed PUT per object over a
// keep-alive agent, signed by the SDK's own signer. The benchmark's uploads share the
// machine's cores with the pipeline they feed; the full S3 client's middleware stack costs
// about 2 ms of CPU per PutObject on our 2-core machine, which would be charged to the pipeline.
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators.ts';

/** What the signer passes as a secret or as data. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the signer expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** RFC 3986 encoding of each path segment, as S3 canonicalizes keys. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

export interface SignedPut {
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  close(): void;
}

/**
 * Uploads to a path-style S3 endpoint with the local credentials.
 *
 * @example
 * const uploader = signedPut('http://127.0.0.1:4568');
 * await uploader.put('documents', 'news/a.txt', bytes);
 * uploader.close();
 */
export function signedPut(endpoint: string): SignedPut {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true });
  const signer = new SignatureV4({
    credentials: LOCAL_CREDENTIALS,
    region: LOCAL_REGION,
    service: 's3',
    sha256: NodeSha256,
    // S3 signs the path as sent; other services encode it a second time.
    uriEscapePath: false,
    applyChecksum: true,
  });
  return {
    async put(bucket, key, body) {
      const path = `/${bucket}/${encodeKey(key)}`;
      const signed = await signer.sign({
        method: 'PUT',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path,
        query: {},
        headers: { host: url.host, 'content-length': String(body.byteLength) },
        body,
      });
      await new Promise<void>((resolve, reject) => {
        const req = request({ agent, method: 'PUT', host: url.hostname, port: url.port, path, headers: signed.headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (res.statusCode === 200) resolve();
            else reject(new Error(`PUT ${path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
