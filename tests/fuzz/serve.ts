// Serves the embedded stack for the outside fuzzer (.ci/fuzz): in memory, on loopback, seeded
// with every document in seeds/ (the bad ones become failure records), the read API requiring
// the key in API_KEY. Prints one JSON line with the API's URL once every seed is processed, and
// stops on SIGTERM or SIGINT.
import { localS3Client } from '../../local/emulators.ts';
import { FREE_PORTS, startLocalStack } from '../../local/stack.ts';
import { uploadFiles } from '../../cli/upload.ts';

const apiKey = process.env.API_KEY;
if (apiKey === undefined || apiKey === '') {
  process.stderr.write('serve.ts: set API_KEY to the key the API must require.\n');
  process.exit(2);
}
const stack = await startLocalStack({ dataDir: null, ...FREE_PORTS, apiKey, logLevel: 'SILENT', maxBatchingWindowMs: 50 });
const s3 = localS3Client(stack.s3Endpoint);
const summary = await uploadFiles(s3, stack.bucket, ['seeds'], { progress: false });
s3.destroy();
await stack.drained(120_000);
process.stdout.write(`${JSON.stringify({ apiUrl: stack.apiUrl, uploaded: summary.uploaded })}\n`);

await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
await stack.stop();
