// The parser in a process of its own, as Lambda runs it: its own S3 and DynamoDB clients (with
// optional fault injection inside them), invoked with SQS events over the IPC channel. Started
// by `startParserProcess` (parser-host.ts), which may SIGKILL it at any moment: nothing here
// may assume it finishes what it starts.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createParser } from '../functions/parser/parser.ts';
import { createS3BodyStore } from '../shared/bodies.ts';
import { createDynamoStore, type DocumentWriter, type WriteOutcome } from '../shared/store/index.ts';
import { localDynamoClient, localS3Client } from './emulators.ts';
import { injectFaults, type FaultKind, type FaultService } from './faults.ts';
import { seededRandom } from './random.ts';

export interface ParserProcessConfig {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  bucket: string;
  bodiesBucket: string;
  tableName: string;
  maxDocumentBytes: number;
  inlineBodyLimitBytes: number;
  /** Fault injection in the process's SDK clients, or null for none. */
  faults: {
    /** Share of SDK calls that meet a fault. */
    rate: number;
    seed: number;
    /** Keys of the documents bucket whose GetObject fails on every attempt until `heal`. */
    outageKeys: string[];
  } | null;
}

/** Parent to child. */
export type ParserRequest = { type: 'invoke'; id: number; event: SQSEvent } | { type: 'heal' } | { type: 'stop' };

/** Child to parent. */
export type ParserReply =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; response: SQSBatchResponse }
  | { type: 'error'; id: number; message: string }
  | { type: 'fault'; service: FaultService; kind: FaultKind; operation: string; outage: boolean; surfaced: boolean }
  /** A store write finished, for invocation `id`. */
  | { type: 'write'; id: number | null; operation: 'putDocument' | 'putFailure' | 'deleteDocument'; outcome: WriteOutcome };

function send(reply: ParserReply): void {
  if (process.connected) process.send?.(reply);
}

const config = JSON.parse(process.argv[2] ?? '{}') as ParserProcessConfig;
const invocation = new AsyncLocalStorage<number>();
let outageOver = false;
const outageKeys = new Set(config.faults?.outageKeys ?? []);

const s3 = localS3Client(config.s3Endpoint);
const dynamo = localDynamoClient(config.dynamodbEndpoint);
if (config.faults) {
  const random = seededRandom(config.faults.seed);
  for (const [client, service] of [[s3, 's3'], [dynamo, 'dynamodb']] as const) {
    injectFaults(client, {
      service,
      rate: config.faults.rate,
      random,
      ...(service === 's3'
        ? {
            outage: (operation: string, input: Readonly<Record<string, unknown>>) =>
              !outageOver && operation === 'GetObjectCommand' && input.Bucket === config.bucket && outageKeys.has(String(input.Key)),
          }
        : {}),
      onInjected: (fault) => send({ type: 'fault', service, kind: fault.kind, operation: fault.operation, outage: fault.outage, surfaced: false }),
      onSurfaced: (fault) => send({ type: 'fault', service, kind: fault.kind, operation: fault.operation, outage: fault.outage, surfaced: true }),
    });
  }
}

const inner = createDynamoStore({
  client: dynamo,
  tableName: config.tableName,
  bodies: createS3BodyStore({ s3, bucket: config.bodiesBucket }),
  inlineBodyLimitBytes: config.inlineBodyLimitBytes,
});
// The same store, telling the parent after every write: the soak kills the process between two.
const store: DocumentWriter = {
  putDocument: (document, event) => reported('putDocument', inner.putDocument(document, event)),
  putFailure: (failure, event) => reported('putFailure', inner.putFailure(failure, event)),
  deleteDocument: (id, event) => reported('deleteDocument', inner.deleteDocument(id, event)),
};
async function reported(operation: 'putDocument' | 'putFailure' | 'deleteDocument', write: Promise<WriteOutcome>): Promise<WriteOutcome> {
  const outcome = await write;
  send({ type: 'write', id: invocation.getStore() ?? null, operation, outcome });
  return outcome;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const handler = createParser({ s3, store, logger: quiet, config: { maxDocumentBytes: config.maxDocumentBytes } });

process.on('message', (request: ParserRequest) => {
  if (request.type === 'invoke') {
    invocation.run(request.id, () =>
      handler(request.event).then(
        (response) => send({ type: 'result', id: request.id, response }),
        (error: unknown) => send({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }),
      ),
    );
  } else if (request.type === 'heal') {
    outageOver = true;
  } else if (request.type === 'stop') {
    process.exit(0);
  }
});
// The parent is gone: so is this process.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the parent decides.
send({ type: 'ready', pid: process.pid });
