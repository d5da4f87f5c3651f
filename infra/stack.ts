import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Api, type ApiAuth } from './constructs/api.ts';
import { Ingestion } from './constructs/ingestion.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Storage } from './constructs/storage.ts';

/** The only stage whose data may be destroyed with the stack. */
export const THROWAWAY_STAGE = 'dev';

/** LOG_LEVEL values the functions' Powertools logger accepts (checked again at cold start). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** Stage names become part of bucket and alarm names: keep them short and lower-case. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

export interface DocflowStackProps extends StackProps {
  /** Deployment stage (`dev`, `prod`, ...): names the stack `Docflow-<stage>`. */
  readonly stage: string;
  /**
   * Origins the API allows by CORS: `*`, `none` or a comma-separated list.
   *
   * @default - '*' with apiAuth `none`, otherwise 'none'
   */
  readonly corsOrigins?: string;
  /**
   * How readers authenticate: see {@link ApiAuth}.
   *
   * @default 'apiKey'
   */
  readonly apiAuth?: ApiAuth;
  /**
   * Daily request quota of the API key's usage plan.
   *
   * @default 100000
   */
  readonly apiQuotaPerDay?: number;
  /**
   * Stage (and usage plan) throttle: steady requests per second, and burst.
   *
   * @default 50 and 100
   */
  readonly apiThrottleRate?: number;
  readonly apiThrottleBurst?: number;
  /**
   * After a cursor secret rotation: until when cursors signed with the previous secret are
   * accepted (ISO 8601).
   *
   * @default - only the current secret
   */
  readonly cursorSecretGraceUntil?: string;
  /**
   * Reserved concurrency of the API function; `undefined` reserves none.
   *
   * @default 20
   */
  readonly apiReservedConcurrency?: number | undefined;
  /**
   * LOG_LEVEL of both functions.
   *
   * @default 'INFO'
   */
  readonly logLevel?: string;
}

/** Wires storage, ingestion, the read API and monitoring together, and names the outputs. */
export class DocflowStack extends Stack {
  public readonly stage: string;
  public readonly storage: Storage;
  public readonly ingestion: Ingestion;
  public readonly api: Api;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, props: DocflowStackProps) {
    if (!STAGE_PATTERN.test(props.stage)) {
      throw new Error(
        `Stage "${props.stage}" is not valid: use 1-16 lower-case letters, digits and hyphens, starting with a letter (it becomes part of bucket names).`,
      );
    }
    super(scope, stackNameFor(props.stage), {
      description: `Docflow document ingestion (${props.stage})`,
      ...props,
    });
    this.stage = props.stage;
    const ephemeral = props.stage === THROWAWAY_STAGE;
    const logRetention = ephemeral ? logs.RetentionDays.ONE_WEEK : logs.RetentionDays.ONE_MONTH;
    const logLevel = props.logLevel ?? 'INFO';
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
      throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
    }
    Tags.of(this).add('project', 'docflow');
    Tags.of(this).add('stage', props.stage);

    this.storage = new Storage(this, 'Storage', {
      documentsBucketName: `docflow-${props.stage}-documents-${this.account}-${this.region}`,
      ephemeral,
    });

    this.ingestion = new Ingestion(this, 'Ingestion', {
      documentsBucket: this.storage.documentsBucket,
      documentsBucketArnLiteral: this.storage.documentsBucketArnLiteral,
      bodiesBucket: this.storage.bodiesBucket,
      table: this.storage.table,
      ephemeral,
      logRetention,
      logLevel,
    });

    this.api = new Api(this, 'Api', {
      table: this.storage.table,
      bodiesBucket: this.storage.bodiesBucket,
      stageName: props.stage,
      apiName: this.stackName,
      corsOrigins: props.corsOrigins,
      auth: props.apiAuth,
      quotaPerDay: props.apiQuotaPerDay,
      throttlingRateLimit: props.apiThrottleRate,
      throttlingBurstLimit: props.apiThrottleBurst,
      cursorSecretGraceUntil: props.cursorSecretGraceUntil,
      reserveConcurrency: props.apiReservedConcurrency !== undefined,
      reservedConcurrency: props.apiReservedConcurrency,
      ephemeral,
      logRetention,
      logLevel,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmNamePrefix: this.stackName,
      deadLetterQueue: this.ingestion.deadLetterQueue,
      queue: this.ingestion.queue,
      parser: this.ingestion.parser,
      api: this.api.handler,
      restApi: this.api.restApi,
      maxMessageAge: Duration.minutes(15),
    });

    // Output ids are a contract: cli/target.ts reads them by name, for the CLI and the e2e test.
    const outputs: Record<string, { value: string; description: string }> = {
      ApiUrl: { value: this.api.url, description: 'Base URL of the read API (no trailing slash)' },
      BucketName: { value: this.storage.documentsBucket.bucketName, description: 'Upload documents here' },
      BodiesBucketName: { value: this.storage.bodiesBucket.bucketName, description: 'Large normalized bodies' },
      TableName: { value: this.storage.table.tableName, description: 'Documents table' },
      QueueUrl: { value: this.ingestion.queue.queueUrl, description: 'S3 events waiting for the parser' },
      DeadLetterQueueUrl: {
        value: this.ingestion.deadLetterQueue.queueUrl,
        description: 'Messages that exhausted their retries (replay with ingest redrive)',
      },
      Region: { value: this.region, description: 'Region of the stack' },
      ApiAuth: { value: this.api.auth, description: 'What the read API asks readers for: apiKey, iam or none' },
      ...(this.api.apiKey === undefined
        ? {}
        : { ApiKeyId: { value: this.api.apiKey.keyId, description: 'Id of the read API key (the value: ingest api-key, or aws apigateway get-api-key --include-value)' } }),
      ...(this.api.readerPolicy === undefined
        ? {}
        : { ReaderPolicyArn: { value: this.api.readerPolicy.managedPolicyArn, description: 'Attach to a role or user that reads the API (SigV4)' } }),
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, id, output);
  }
}

/** `Docflow-<stage>`. */
export function stackNameFor(stage: string): string {
  return `Docflow-${stage}`;
}
