import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FAILURE_ATTRIBUTES, INDEX_BY_SITE, INDEX_BY_URL, INDEX_FAILURES, INDEX_TIMELINE, SUMMARY_ATTRIBUTES } from '../../shared/store/schema.ts';

// The table's indexes and projections come from the table access layer, so the deployed table
// and the one the embedded stack and tests create cannot drift apart.
export { FAILURE_ATTRIBUTES, SUMMARY_ATTRIBUTES };

export interface StorageProps {
  /**
   * Physical name of the documents bucket. It has to be known before the bucket exists:
   * the queue policy names the bucket in `aws:SourceArn`, and the bucket depends on that
   * policy, so a `Ref` to the bucket would close a cycle. Lower-case, 3-63 characters.
   */
  readonly documentsBucketName: string;
  /**
   * Throwaway stage: data is destroyed with the stack and the table has no deletion
   * protection. Only the `dev` stage sets this.
   *
   * @default false - buckets and table are retained, the table is deletion-protected
   */
  readonly ephemeral?: boolean;
  /**
   * Days an overwritten or deleted upload stays recoverable as a noncurrent version.
   *
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Days S3 server access logs are kept.
   *
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * Where documents live: the upload bucket, the bucket for bodies too large for an item,
 * the access-log bucket for both, and the table.
 *
 * Every bucket blocks public access, refuses plain HTTP and encrypts with S3-managed keys
 * (SSE-S3 keeps the S3 to SQS notification and the access log delivery free of KMS key
 * policies). No `autoDeleteObjects`: it deploys a custom resource Lambda.
 */
export class Storage extends Construct {
  /** Uploads; versioned; notifications are attached by the ingestion construct. */
  public readonly documentsBucket: s3.Bucket;
  /**
   * ARN of the documents bucket, built from its name and pseudo parameters rather than a
   * reference, for policies the bucket itself depends on.
   */
  public readonly documentsBucketArnLiteral: string;
  /** Bodies too large for a DynamoDB item. */
  public readonly bodiesBucket: s3.Bucket;
  /** Server access logs of the two buckets above. */
  public readonly accessLogsBucket: s3.Bucket;
  /** Documents, failures, tombstones and author entries. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);

    const noncurrentDays = props.noncurrentVersionRetentionDays ?? 90;
    const accessLogDays = props.accessLogRetentionDays ?? 90;
    validateBucketName(props.documentsBucketName);
    requirePositiveInteger('noncurrentVersionRetentionDays', noncurrentDays);
    requirePositiveInteger('accessLogRetentionDays', accessLogDays);

    // Server access logs are delivered under a bucket policy for logging.s3.amazonaws.com,
    // not the legacy LogDeliveryWrite ACL (which needs ACLs enabled on the log bucket).
    // Set here, before any child exists, so the construct does not depend on the app's flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const ephemeral = props.ephemeral ?? false;
    const removalPolicy = ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const secure = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    } satisfies s3.BucketProps;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      ...secure,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(accessLogDays) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the destination of the server access logs; logging its own access would log every log delivery, recursively.',
    });

    this.documentsBucket = new s3.Bucket(this, 'DocumentsBucket', {
      ...secure,
      bucketName: props.documentsBucketName,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    this.documentsBucketArnLiteral = `arn:${Aws.PARTITION}:s3:::${props.documentsBucketName}`;

    // Bodies are derived data (the parser rewrites them from the upload), and every body
    // is written under a new key, so versioning would only keep garbage.
    this.bodiesBucket = new s3.Bucket(this, 'BodiesBucket', {
      ...secure,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'bodies/',
      lifecycleRules: [{ id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !ephemeral,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    const string = dynamodb.AttributeType.STRING;
    this.table.addGlobalSecondaryIndex({
      indexName: INDEX_BY_URL,
      partitionKey: { name: 'urlKey', type: string },
      sortKey: { name: 'sortKey', type: string },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: INDEX_TIMELINE,
      partitionKey: { name: 'timelineShard', type: string },
      sortKey: { name: 'sortKey', type: string },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...SUMMARY_ATTRIBUTES],
    });
    this.table.addGlobalSecondaryIndex({
      indexName: INDEX_BY_SITE,
      partitionKey: { name: 'siteKey', type: string },
      sortKey: { name: 'sortKey', type: string },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...SUMMARY_ATTRIBUTES],
    });
    this.table.addGlobalSecondaryIndex({
      indexName: INDEX_FAILURES,
      partitionKey: { name: 'failureShard', type: string },
      sortKey: { name: 'failedSortKey', type: string },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...FAILURE_ATTRIBUTES],
    });
  }

  /**
   * The CloudFormation logical id of the table, for acknowledging cdk-nag findings that
   * name it (e.g. `Resource::<Table.Arn>/index/*`) without hard-coding a hashed id.
   */
  public tableLogicalId(): string {
    return Stack.of(this).getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable);
  }
}

function validateBucketName(name: string): void {
  // Tokens (account, region) are resolved at deploy time: count each as 14 characters,
  // the longest a region or account id gets, and check the literal parts.
  const literal = name.replace(/\$\{Token\[[^\]]+\]\}/g, 'x'.repeat(14));
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(literal)) {
    throw new Error(
      `documentsBucketName "${name}" is not a valid S3 bucket name: use 3-63 lower-case letters, digits, dots and hyphens.`,
    );
  }
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number, got ${value}.`);
  }
}
