import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerFunction } from './handler-function.ts';

/** The S3 events that reach the queue. */
export const NOTIFIED_EVENTS = ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] as const;

export interface IngestionProps {
  /** The bucket users upload to. Its notification configuration is set here. */
  readonly documentsBucket: s3.Bucket;
  /**
   * The documents bucket's ARN as a literal (see `Storage.documentsBucketArnLiteral`):
   * the queue policy names it, and the bucket depends on the queue policy.
   */
  readonly documentsBucketArnLiteral: string;
  /** Where bodies too large for an item go; the parser reads, writes and deletes them. */
  readonly bodiesBucket: s3.Bucket;
  /** The documents table; the parser reads and writes it. */
  readonly table: dynamodb.Table;
  /**
   * Throwaway stage: log groups are destroyed with the stack.
   *
   * @default false
   */
  readonly ephemeral?: boolean;
  /**
   * Deliveries of one message before it moves to the dead-letter queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Parser timeout. The queue's visibility timeout is six times this plus the batching
   * window, as Lambda recommends for SQS event sources.
   *
   * @default Duration.seconds(30)
   */
  readonly parserTimeout?: Duration;
  /**
   * Parser memory in MB (arm64 CPU share grows with it).
   *
   * @default 1024
   */
  readonly parserMemorySize?: number;
  /**
   * Messages per invocation.
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers messages before invoking with a partial batch.
   *
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retention of the parser's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * LOG_LEVEL of the parser.
   *
   * @default 'INFO'
   */
  readonly logLevel?: string;
}

/**
 * The write path: S3 notifications into an SQS queue, drained in batches by the parser
 * function, with a dead-letter queue for messages that keep failing.
 *
 * The notification is set on the bucket resource itself
 * (`NotificationConfiguration.QueueConfigurations`) instead of through
 * `bucket.addEventNotification()`, which deploys a `Custom::S3BucketNotifications` Lambda
 * (absent from LocalStack's free tier, and a custom resource we would rather not own).
 */
export class Ingestion extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly parser: NodejsFunction;
  public readonly parserRole: iam.Role;
  public readonly parserLogGroup: logs.LogGroup;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);

    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const timeout = props.parserTimeout ?? Duration.seconds(30);
    const memorySize = props.parserMemorySize ?? 1024;
    const batchSize = props.batchSize ?? 10;
    const batchingWindow = props.maxBatchingWindow ?? Duration.seconds(1);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`maxReceiveCount must be a whole number from 1 to 1000, got ${maxReceiveCount}.`);
    }
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error(`parserTimeout must be between 1 second and 15 minutes, got ${timeout.toHumanString()}.`);
    }
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`parserMemorySize must be a whole number of MB from 128 to 10240, got ${memorySize}.`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`batchSize must be a whole number from 1 to 10, got ${batchSize}.`);
    }
    if (batchingWindow.toSeconds() > 300) {
      throw new Error(`maxBatchingWindow must be at most 5 minutes, got ${batchingWindow.toHumanString()}.`);
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the source queue's retention: a message's age counts from its first
      // enqueue, so a shorter DLQ retention could drop it on arrival.
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + batchingWindow.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowDocumentsBucketNotifications',
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': props.documentsBucketArnLiteral },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    // The queue's one policy (enforceSSL and the statement above); a second QueuePolicy on the
    // same queue would overwrite it.
    const queuePolicy = this.queue.node.tryFindChild('Policy');
    if (!(queuePolicy instanceof sqs.QueuePolicy)) throw new Error('The ingestion queue has no policy to depend on.');

    const cfnBucket = props.documentsBucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: NOTIFIED_EVENTS.map((event) => ({ event, queue: this.queue.queueArn })),
    };
    // S3 sends a test message to the queue when the configuration is saved, and refuses
    // the configuration if it may not: the policy must exist first.
    cfnBucket.addResourceDependency(
      queuePolicy.node.defaultChild as sqs.CfnQueuePolicy,
      'S3 validates the notification destination when it saves the configuration',
    );

    const parser = new HandlerFunction(this, 'Parser', {
      name: 'parser',
      description: 'Parses uploaded documents into the table (S3 events via SQS)',
      timeout,
      memorySize,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      logLevel: props.logLevel ?? 'INFO',
      environment: {
        TABLE_NAME: props.table.tableName,
        DOCUMENTS_BUCKET: props.documentsBucket.bucketName,
        BODIES_BUCKET: props.bodiesBucket.bucketName,
      },
    });
    this.parser = parser.function;
    this.parserRole = parser.role;
    this.parserLogGroup = parser.logGroup;

    // Reads uploads, never writes or deletes them. ListBucket makes a missing key answer
    // 404 NoSuchKey instead of 403, which the parser relies on for a create event whose
    // object was deleted before the event was processed.
    this.parserRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        actions: ['s3:GetObject'],
        resources: [props.documentsBucket.arnForObjects('*')],
      }),
    );
    this.parserRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListUploads',
        actions: ['s3:ListBucket'],
        resources: [props.documentsBucket.bucketArn],
      }),
    );
    // Bodies are written under a new key per version and deleted once no item points at them.
    this.parserRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteBodies',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [props.bodiesBucket.arnForObjects('*')],
      }),
    );
    this.parserRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListBodies',
        actions: ['s3:ListBucket'],
        resources: [props.bodiesBucket.bucketArn],
      }),
    );
    props.table.grantReadWriteData(this.parserRole);

    this.eventSource = new SqsEventSource(this.queue, {
      batchSize,
      maxBatchingWindow: batchingWindow,
      reportBatchItemFailures: true,
    });
    this.parser.addEventSource(this.eventSource);

    const stack = Stack.of(this);
    const tableId = stack.getLogicalId(props.table.node.defaultChild as dynamodb.CfnTable);
    const documentsId = stack.getLogicalId(props.documentsBucket.node.defaultChild as s3.CfnBucket);
    const bodiesId = stack.getLogicalId(props.bodiesBucket.node.defaultChild as s3.CfnBucket);
    const policy = this.parserRole.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: 'The parser queries the four GSIs of its own table (by URL, timeline, site, failures); the wildcard covers exactly those indexes of that one table.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${documentsId}.Arn>/*]`,
        reason: 'The parser reads (GetObject only) whichever object an upload event names; object keys are user-chosen, so the resource is every object of the one documents bucket.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bodiesId}.Arn>/*]`,
        reason: 'The parser writes and removes large bodies under per-document keys it derives at run time; the resource is limited to the one bodies bucket.',
      },
    );
  }
}
