// Recovery commands: `ingest redrive` (dead letters back to the queue) and `ingest reprocess`
// (objects through the parser again), on the embedded stack or on AWS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, SendMessageBatchCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { createS3BodyStore } from '../shared/bodies.ts';
import { replayEvents } from '../shared/replay.ts';
import { createDynamoStore } from '../shared/store/index.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { CliError, control, embeddedOutputsPath, isEmbedded, readStackOutputs, stackEndpoints, type StackEndpoints, type StackOutputs } from './target.ts';

export interface TargetOptions {
  /** An outputs file (`outputs/aws.json`); the embedded stack's by default. */
  outputs?: string;
  dataDir?: string;
}

function outputsFor(options: TargetOptions): StackOutputs {
  return options.outputs
    ? readStackOutputs(options.outputs, 'deploy first (`npm run deploy` writes outputs/aws.json)')
    : readStackOutputs(embeddedOutputsPath(options.dataDir));
}

/**
 * SDK client settings for a deployed stack: AWS's defaults, or LocalStack's (or another
 * endpoint's) where the outputs and AWS_ENDPOINT_URL_* say so. LocalStack accepts any
 * credentials; `test`/`test` is used when none are set in the environment.
 */
function clientConfig(endpoints: StackEndpoints, service: 's3' | 'dynamodb' | 'sqs'): { region?: string; endpoint?: string; forcePathStyle?: boolean; credentials?: typeof LOCAL_CREDENTIALS } {
  const endpoint = { s3: endpoints.s3Endpoint, dynamodb: endpoints.dynamodbEndpoint, sqs: endpoints.sqsEndpoint }[service];
  return {
    ...(endpoints.region !== undefined ? { region: endpoints.region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(endpoint !== undefined && service === 's3' ? { forcePathStyle: true } : {}),
    ...(endpoints.emulator && process.env.AWS_ACCESS_KEY_ID === undefined ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
}

function required(outputs: StackOutputs, name: keyof StackOutputs): string {
  const value = outputs[name];
  if (!value) throw new CliError(`The outputs file has no ${name} output.`);
  return value;
}

/** `ingest redrive`: moves every dead-lettered message back to the queue. */
export async function redriveCommand(options: TargetOptions): Promise<number> {
  const outputs = outputsFor(options);
  if (isEmbedded(outputs)) {
    const { moved } = await control<{ moved: number }>(outputs, 'POST', '/queues/dead-letter/redrive');
    process.stdout.write(`redrove ${moved} message(s) from the dead-letter queue\n`);
    return 0;
  }
  const sqs = new SQSClient(clientConfig(stackEndpoints(outputs), 'sqs'));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: required(outputs, 'DeadLetterQueueUrl'), AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }));
  const sourceArn = Attributes?.QueueArn;
  if (!sourceArn) throw new CliError('Could not read the dead-letter queue ARN.');
  process.stderr.write(`dead-letter queue holds about ${Attributes?.ApproximateNumberOfMessages ?? '?'} message(s); starting a move task\n`);
  // Without a destination, SQS moves the messages back to the queues they came from.
  await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn }));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = Results?.[0];
    if (task?.Status === 'COMPLETED') {
      process.stdout.write(`redrove ${task.ApproximateNumberOfMessagesMoved ?? 0} message(s) from the dead-letter queue\n`);
      return 0;
    }
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      throw new CliError(`The move task ended ${task.Status}: ${task.FailureReason ?? 'no reason given'}.`);
    }
  }
}

/** `ingest reprocess`: runs every object under a prefix through the parser again. */
export async function reprocessCommand(options: TargetOptions & { prefix?: string }): Promise<number> {
  const outputs = outputsFor(options);
  const prefix = options.prefix ?? '';
  if (isEmbedded(outputs)) {
    const { queued } = await control<{ queued: number }>(outputs, 'POST', `/reprocess?prefix=${encodeURIComponent(prefix)}`);
    process.stdout.write(`queued ${queued} object(s) under "${prefix}" for reprocessing\n`);
    return 0;
  }
  const endpoints = stackEndpoints(outputs);
  const s3 = new S3Client(clientConfig(endpoints, 's3'));
  const sqs = new SQSClient(clientConfig(endpoints, 'sqs'));
  const store = createDynamoStore({
    client: new DynamoDBClient(clientConfig(endpoints, 'dynamodb')),
    tableName: required(outputs, 'TableName'),
    bodies: createS3BodyStore({ s3, bucket: required(outputs, 'BodiesBucketName') }),
  });
  const queueUrl = required(outputs, 'QueueUrl');
  let batch: string[] = [];
  let queued = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })) }));
    if (result.Failed && result.Failed.length > 0) throw new CliError(`SQS refused ${result.Failed.length} message(s): ${result.Failed[0]?.Message ?? ''}`);
    queued += batch.length;
    batch = [];
  };
  for await (const body of replayEvents({ s3, bucket: required(outputs, 'BucketName'), prefix, store, region: endpoints.region ?? 'us-east-1' })) {
    batch.push(body);
    if (batch.length === 10) await flush();
  }
  await flush();
  process.stdout.write(`queued ${queued} object(s) under "${prefix}" for reprocessing\n`);
  return 0;
}
