// Recovery commands: `ingest redrive` (dead letters back to the queue) and `ingest reprocess`
// (objects through the parser again), on the embedded stack, an emulator or AWS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { createS3BodyStore } from '../shared/bodies.ts';
import { replayEvents } from '../shared/replay.ts';
import { createDynamoStore } from '../shared/store/index.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators.ts';
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
 * SDK client settings for a deployed stack: AWS's defaults, or an emulator's (LocalStack,
 * MiniStack, or another endpoint) where the outputs and AWS_ENDPOINT_URL_* say so. Emulators
 * accept any credentials; `test`/`test` is used when none are set in the environment.
 */
function clientConfig(endpoints: StackEndpoints, service: 's3' | 'dynamodb' | 'sqs'): { region?: string; endpoint?: string; forcePathStyle?: boolean; credentials?: typeof LOCAL_CREDENTIALS } {
  const endpoint = { s3: endpoints.s3Endpoint, dynamodb: endpoints.dynamodbEndpoint, sqs: endpoints.sqsEndpoint }[service];
  return {
    // Emulators answer for any region; LocalStack and MiniStack default to us-east-1.
    ...(endpoints.region !== undefined ? { region: endpoints.region } : endpoints.emulator ? { region: LOCAL_REGION } : {}),
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

export interface RedriveOptions extends TargetOptions {
  /** How long to wait for the move to finish, in seconds. @default 300 */
  timeoutSeconds?: number;
}

/** True for the answer of an SQS endpoint that does not implement the action (emulators). */
function isUnsupportedAction(error: unknown): error is SQSServiceException {
  return error instanceof UnsupportedOperation || (error instanceof SQSServiceException && error.name === 'InvalidAction');
}

/**
 * `ingest redrive`: moves every dead-lettered message back to the queue, with an SQS message
 * move task, or, on an endpoint without one, by receiving, sending and deleting them itself.
 */
export async function redriveCommand(options: RedriveOptions): Promise<number> {
  const outputs = outputsFor(options);
  if (isEmbedded(outputs)) {
    const { moved } = await control<{ moved: number }>(outputs, 'POST', '/queues/dead-letter/redrive');
    process.stdout.write(`redrove ${moved} message(s) from the dead-letter queue\n`);
    return 0;
  }
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const deadline = Date.now() + timeoutSeconds * 1_000;
  const sqs = new SQSClient(clientConfig(stackEndpoints(outputs), 'sqs'));
  const deadLetterQueueUrl = required(outputs, 'DeadLetterQueueUrl');
  const queueUrl = required(outputs, 'QueueUrl');
  const arnOf = async (url: string): Promise<{ arn: string; messages: string }> => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }));
    if (!Attributes?.QueueArn) throw new CliError(`Could not read the ARN of the queue ${url}.`);
    return { arn: Attributes.QueueArn, messages: Attributes.ApproximateNumberOfMessages ?? '?' };
  };
  const source = await arnOf(deadLetterQueueUrl);
  const destination = await arnOf(queueUrl);
  process.stderr.write(`dead-letter queue holds about ${source.messages} message(s)\n`);
  try {
    // The destination is named, so messages sent to the dead-letter queue by hand move as well.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source.arn, DestinationArn: destination.arn }));
  } catch (error) {
    if (!isUnsupportedAction(error)) throw error;
    process.stderr.write(`this endpoint has no StartMessageMoveTask (${error.name}): moving the messages by receive, send and delete instead\n`);
    const result = await moveMessages(sqs, { from: deadLetterQueueUrl, to: queueUrl, deadline });
    process.stdout.write(`redrove ${result.moved} message(s) from the dead-letter queue by receive, send and delete\n`);
    if (result.notDeleted > 0) {
      process.stderr.write(`${result.notDeleted} of them could not be deleted from the dead-letter queue and will be moved again by the next redrive (the parser ignores a repeat)\n`);
    }
    if (result.notSent > 0) throw new CliError(`${result.notSent} message(s) could not be sent to the queue and stay in the dead-letter queue; run redrive again.`);
    if (result.timedOut) throw new CliError(`Stopped after ${timeoutSeconds} s with messages left in the dead-letter queue; run redrive again for the rest.`);
    return 0;
  }
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: source.arn, MaxResults: 1 }));
    const task = Results?.[0];
    if (task?.Status === 'COMPLETED') {
      process.stdout.write(`redrove ${task.ApproximateNumberOfMessagesMoved ?? 0} message(s) from the dead-letter queue\n`);
      return 0;
    }
    if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
      throw new CliError(`The move task ended ${task.Status}: ${task.FailureReason ?? 'no reason given'}.`);
    }
    if (Date.now() > deadline) {
      throw new CliError(
        `The move task had not finished after ${timeoutSeconds} s (${task?.ApproximateNumberOfMessagesMoved ?? 0} moved so far); it keeps running on its own, and \`ingest redrive\` starts no second one while it does.`,
      );
    }
  }
}

export interface MoveResult {
  /** Messages sent to the destination. */
  moved: number;
  /** Messages the destination refused; they stay in the source. */
  notSent: number;
  /** Messages sent but not deleted from the source; a later move sends them again. */
  notDeleted: number;
  /** True when the deadline came before the source was empty. */
  timedOut: boolean;
}

/**
 * Moves messages from one queue to another the way a move task does, for SQS endpoints
 * without `StartMessageMoveTask`: receive up to ten, send them in one batch, delete from the
 * source the ones that were sent, until a receive comes back empty or the deadline passes.
 * At least once: a message is deleted only after it was sent, so a failure can repeat a
 * message but never lose one.
 *
 * @example
 * const { moved } = await moveMessages(sqs, { from: dlqUrl, to: queueUrl, deadline: Date.now() + 60_000 });
 */
export async function moveMessages(sqs: SQSClient, move: { from: string; to: string; deadline: number }): Promise<MoveResult> {
  const result: MoveResult = { moved: 0, notSent: 0, notDeleted: 0, timedOut: false };
  for (;;) {
    if (Date.now() > move.deadline) return { ...result, timedOut: true };
    // Hidden long enough for one send and delete; a message that fails comes back after it.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: move.from, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return result;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: move.to,
        Entries: Messages.map((message, i) => ({ Id: String(i), MessageBody: message.Body ?? '', MessageAttributes: message.MessageAttributes })),
      }),
    );
    result.notSent += sent.Failed?.length ?? 0;
    const delivered = (sent.Successful ?? []).map((entry) => Messages[Number(entry.Id)]!);
    if (delivered.length === 0) continue;
    result.moved += delivered.length;
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: move.from, Entries: delivered.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })) }),
    );
    result.notDeleted += deleted.Failed?.length ?? 0;
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
