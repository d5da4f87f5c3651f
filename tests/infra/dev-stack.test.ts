// The dev stage, synthesized once with real bundling: every resource the contracts name.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Annotations, Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, FUNCTION_ENTRIES, PROJECT_ROOT, esbuildOptions } from '../../infra/bundling.ts';
import { FAILURE_ATTRIBUTES, SUMMARY_ATTRIBUTES } from '../../infra/constructs/storage.ts';
import { createTableInput } from '../../shared/store/schema.ts';
import {
  actionsOf,
  bundleOf,
  functionOf,
  mentions,
  onlyResource,
  roleStatements,
  synthStage,
  type Resource,
  type Statement,
  type Synthesized,
} from './helpers.ts';

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthStage('dev');
  template = synth.template;
});

afterAll(() => synth?.cleanup());

const documentsBucket = () =>
  onlyResource(template, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
const ingestionQueue = () => onlyResource(template, 'AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } });
const deadLetterQueue = () =>
  onlyResource(template, 'AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.absent() } });
const table = () => onlyResource(template, 'AWS::DynamoDB::Table');

describe('stack shape', () => {
  it('is named Docflow-dev and deploys without a custom resource', () => {
    expect(synth.stack.stackName).toBe('Docflow-dev');
    const types = Object.values(template.toJSON().Resources as Record<string, Resource>).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')).toEqual([]);
    expect(types).not.toContain('Custom::S3BucketNotifications');
    expect(types).not.toContain('Custom::LogRetention');
    expect(types).not.toContain('Custom::S3AutoDeleteObjects');
  });

  it('has exactly two Lambda functions: parser and api', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(functionOf(template, 'parser').id).not.toBe(functionOf(template, 'api').id);
  });

  it('outputs exactly the documented ids', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      ['ApiAuth', 'ApiKeyId', 'ApiUrl', 'BodiesBucketName', 'BucketName', 'DeadLetterQueueUrl', 'QueueUrl', 'Region', 'TableName'].sort(),
    );
  });

  it('points each output at its resource', () => {
    const bodies = onlyResource(template, 'AWS::S3::Bucket', {
      Properties: { LoggingConfiguration: { LogFilePrefix: 'bodies/' } },
    });
    template.hasOutput('BucketName', { Value: { Ref: documentsBucket().id } });
    template.hasOutput('BodiesBucketName', { Value: { Ref: bodies.id } });
    template.hasOutput('TableName', { Value: { Ref: table().id } });
    template.hasOutput('QueueUrl', { Value: { Ref: ingestionQueue().id } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: deadLetterQueue().id } });
    template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
  });

  it('outputs the API base URL with the stage and no trailing slash', () => {
    const restApi = onlyResource(template, 'AWS::ApiGateway::RestApi');
    const stage = onlyResource(template, 'AWS::ApiGateway::Stage');
    const parts = new Capture();
    template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', parts] } });
    expect(parts.asArray()).toEqual([
      'https://',
      { Ref: restApi.id },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/',
      { Ref: stage.id },
    ]);
  });
});

describe('storage', () => {
  it('blocks public access, encrypts with S3-managed keys and owns every object, on every bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as Resource[];
    for (const bucket of buckets) {
      expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties!.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties!.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  it('denies plain HTTP and TLS below 1.2 in the policy of every bucket', () => {
    for (const id of Object.keys(template.findResources('AWS::S3::Bucket'))) {
      const policy = onlyResource(template, 'AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: id } } });
      const statements = policy.resource.Properties!.PolicyDocument.Statement as Statement[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      );
    }
  });

  it('versions the documents bucket, names it per stage, account and region, and logs its access', () => {
    const logs = onlyResource(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.absent() } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketName: { 'Fn::Join': ['', ['docflow-dev-documents-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs.id }, LogFilePrefix: 'documents/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]),
      },
    });
  });

  it('lets S3 deliver access logs to the log bucket by bucket policy, not ACL', () => {
    const logs = onlyResource(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.absent() } });
    expect(logs.resource.Properties!.AccessControl).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logs.id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('destroys the throwaway dev data with the stack', () => {
    for (const resource of Object.values(template.findResources('AWS::S3::Bucket')) as Resource[]) {
      expect(resource.DeletionPolicy).toBe('Delete');
    }
    expect(table().resource.DeletionPolicy).toBe('Delete');
  });

  it('defines the table: keys, on-demand, TTL, PITR, AWS managed encryption, no deletion protection in dev', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // SSEEnabled with no key and no type: KMS with the AWS managed key (aws/dynamodb).
    expect(table().resource.Properties!.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table().resource.Properties!.DeletionProtectionEnabled).toBe(false);
  });

  it('defines the four GSIs with string keys and their projections', () => {
    const props = table().resource.Properties!;
    const include = (attributes: readonly string[]) => ({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...attributes] });
    const gsi = (name: string, pk: string, sk: string, projection: object) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: pk, KeyType: 'HASH' },
        { AttributeName: sk, KeyType: 'RANGE' },
      ],
      Projection: projection,
    });
    expect(props.GlobalSecondaryIndexes).toEqual([
      gsi('byUrl', 'urlKey', 'sortKey', { ProjectionType: 'KEYS_ONLY' }),
      gsi('timeline', 'timelineShard', 'sortKey', include(SUMMARY_ATTRIBUTES)),
      gsi('bySite', 'siteKey', 'sortKey', include(SUMMARY_ATTRIBUTES)),
      gsi('failures', 'failureShard', 'failedSortKey', include(FAILURE_ATTRIBUTES)),
    ]);
    for (const definition of props.AttributeDefinitions as { AttributeType: string }[]) {
      expect(definition.AttributeType).toBe('S');
    }
  });

  it('matches the table the embedded stack creates (shared/store/schema.ts)', () => {
    const props = table().resource.Properties!;
    const embedded = createTableInput('any');
    const byName = <T extends { AttributeName?: string; IndexName?: string }>(items: readonly T[]) =>
      [...items].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));
    expect(byName(props.AttributeDefinitions)).toEqual(byName(embedded.AttributeDefinitions!));
    expect(props.KeySchema).toEqual(embedded.KeySchema);
    expect(props.BillingMode).toBe(embedded.BillingMode);
    const indexes = (embedded.GlobalSecondaryIndexes ?? []).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    }));
    expect(byName(props.GlobalSecondaryIndexes)).toEqual(byName(indexes));
  });
});

describe('ingestion', () => {
  it('sends ObjectCreated and ObjectRemoved from the documents bucket to the queue, on the bucket resource', () => {
    const queue = ingestionQueue();
    const events = new Capture();
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      NotificationConfiguration: { QueueConfigurations: events },
    });
    expect(events.asArray()).toEqual([
      { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      { Event: 's3:ObjectRemoved:*', Queue: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
    ]);
  });

  it('creates the documents bucket after the queue policy that lets S3 send to the queue', () => {
    const queue = ingestionQueue();
    const policy = onlyResource(template, 'AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: queue.id }] } });
    expect([documentsBucket().resource.DependsOn].flat()).toContain(policy.id);
    const statements = policy.resource.Properties!.PolicyDocument.Statement as Statement[];
    const allow = statements.find((s) => s.Effect === 'Allow');
    expect(allow).toEqual({
      Sid: 'AllowDocumentsBucketNotifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] },
      Condition: {
        ArnEquals: {
          'aws:SourceArn': {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':s3:::docflow-dev-documents-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
            ],
          },
        },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
  });

  it('encrypts both queues and denies plain HTTP on both', () => {
    for (const { id, resource } of [ingestionQueue(), deadLetterQueue()]) {
      expect(resource.Properties!.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('moves a message to the dead-letter queue after 5 receives, and keeps it there longer', () => {
    const queue = ingestionQueue().resource.Properties!;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueue().id, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(deadLetterQueue().resource.Properties!.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod);
  });

  it('keeps messages invisible for at least six parser timeouts', () => {
    const timeout: number = functionOf(template, 'parser').resource.Properties!.Timeout;
    expect(ingestionQueue().resource.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('feeds the parser in batches of 10 with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ingestionQueue().id, 'Arn'] },
      FunctionName: { Ref: functionOf(template, 'parser').id },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('functions', () => {
  it.each(['parser', 'api'] as const)('%s runs nodejs24.x on arm64 from the bundled index.mjs', (service) => {
    const props = functionOf(template, service).resource.Properties!;
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
  });

  it.each(['parser', 'api'] as const)('%s logs to its own log group kept a week in dev', (service) => {
    const props = functionOf(template, service).resource.Properties!;
    const groupId: string = props.LoggingConfig.LogGroup.Ref;
    const group = template.toJSON().Resources[groupId] as Resource;
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties!.RetentionInDays).toBe(7);
    expect(group.DeletionPolicy).toBe('Delete');
  });

  it('gives the parser its table, buckets and service name', () => {
    const env = functionOf(template, 'parser').resource.Properties!.Environment.Variables;
    const bodies = onlyResource(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: { LogFilePrefix: 'bodies/' } } });
    expect(env).toEqual({
      TABLE_NAME: { Ref: table().id },
      DOCUMENTS_BUCKET: { Ref: documentsBucket().id },
      BODIES_BUCKET: { Ref: bodies.id },
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: 'parser',
    });
  });

  it('gives the api its table, bodies bucket, CORS origins and the cursor secret by dynamic reference', () => {
    const env = functionOf(template, 'api').resource.Properties!.Environment.Variables;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret');
    expect(secret.resource.Properties!.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(env).toMatchObject({
      TABLE_NAME: { Ref: table().id },
      CORS_ORIGINS: 'none',
      LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: 'api',
      CURSOR_SECRET: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret.id }, ':SecretString:::}}']] },
    });
    expect(Object.keys(env).sort()).toEqual(
      ['BODIES_BUCKET', 'CORS_ORIGINS', 'CURSOR_SECRET', 'LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'].sort(),
    );
  });

  it('reserves 20 concurrent executions for the api and none for the parser', () => {
    expect(functionOf(template, 'api').resource.Properties!.ReservedConcurrentExecutions).toBe(20);
    expect(functionOf(template, 'parser').resource.Properties!.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('least privilege', () => {
  it('attaches no AWS managed policy to either function role', () => {
    for (const service of ['parser', 'api'] as const) {
      const roleId: string = functionOf(template, service).resource.Properties!.Role['Fn::GetAtt'][0];
      const role = template.toJSON().Resources[roleId] as Resource;
      expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets the parser only read uploads: no put or delete on the documents bucket', () => {
    const bucketId = documentsBucket().id;
    const onBucket = roleStatements(template, 'parser').filter((s) => mentions(s, bucketId));
    const actions = onBucket.flatMap(actionsOf).sort();
    expect(actions).toEqual(['s3:GetObject', 's3:ListBucket']);
    for (const action of actions) {
      expect(action).not.toMatch(/^s3:(Put|Delete)|\*/);
    }
  });

  it('lets the parser read, write and delete bodies, and read and write the table', () => {
    const bodies = onlyResource(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: { LogFilePrefix: 'bodies/' } } });
    const statements = roleStatements(template, 'parser');
    const onBodies = statements.filter((s) => mentions(s, bodies.id)).flatMap(actionsOf);
    expect(onBodies.sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const onTable = statements.filter((s) => mentions(s, table().id)).flatMap(actionsOf);
    expect(onTable).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']));
  });

  it('lets the api only read: no DynamoDB write and no S3 put or delete', () => {
    const actions = roleStatements(template, 'api').flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject']));
    for (const action of actions) {
      expect(action).not.toMatch(/^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems|\*)$/);
      expect(action).not.toMatch(/^s3:(Put|Delete)|^s3:\*$/);
      expect(action).not.toMatch(/^sqs:/);
    }
    const documentsId = documentsBucket().id;
    expect(roleStatements(template, 'api').filter((s) => mentions(s, documentsId))).toEqual([]);
  });

  it('grants no action or resource "*" to either function', () => {
    for (const service of ['parser', 'api'] as const) {
      for (const statement of roleStatements(template, service)) {
        expect(actionsOf(statement)).not.toContain('*');
        expect(statement.Resource).not.toBe('*');
      }
    }
  });
});

describe('read API', () => {
  it('proxies every method and path to the api function', () => {
    const api = functionOf(template, 'api');
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
    // ANY (with an API key) and OPTIONS (open, for preflights) on / and on /{proxy+}.
    expect(methods.map((method) => method.Properties!.HttpMethod).sort()).toEqual(['ANY', 'ANY', 'OPTIONS', 'OPTIONS']);
    for (const method of methods) {
      expect(method.Properties!.ApiKeyRequired).toBe(method.Properties!.HttpMethod === 'ANY');
      expect(method.Properties!.Integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method.Properties!.Integration.Uri)).toContain(`"${api.id}"`);
    }
  });

  it('throttles the stage, logs errors and writes JSON access logs to a retained-a-week group', () => {
    const accessLogs = new Capture();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ],
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [accessLogs, 'Arn'] }, Format: Match.stringLikeRegexp('requestId') },
    });
    const group = template.toJSON().Resources[accessLogs.asString()] as Resource;
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties!.RetentionInDays).toBe(7);
  });

  it('is a regional REST API', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'Docflow-dev',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });
});

describe('monitoring', () => {
  const alarmOn = (metricName: string, namespace: string) =>
    onlyResource(template, 'AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName, Namespace: namespace } });

  it('alarms as soon as one message is visible in the dead-letter queue', () => {
    const alarm = alarmOn('ApproximateNumberOfMessagesVisible', 'AWS/SQS').resource.Properties!;
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueue().id, 'QueueName'] } }],
    });
  });

  it('alarms on errors of each function and on parser throttles', () => {
    const errors = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda' } }),
    ) as Resource[];
    const watched = errors.map((a) => a.Properties!.Dimensions[0].Value.Ref).sort();
    expect(watched).toEqual([functionOf(template, 'api').id, functionOf(template, 'parser').id].sort());
    for (const alarm of errors) expect(alarm.Properties!.Threshold).toBe(1);
    const throttles = alarmOn('Throttles', 'AWS/Lambda').resource.Properties!;
    expect(throttles.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: functionOf(template, 'parser').id } }]);
  });

  it('alarms on REST 5XX answers and on a queue backlog', () => {
    expect(alarmOn('5XXError', 'AWS/ApiGateway').resource.Properties!.Threshold).toBe(1);
    const backlog = alarmOn('ApproximateAgeOfOldestMessage', 'AWS/SQS').resource.Properties!;
    expect(backlog.Threshold).toBe(15 * 60);
    expect(backlog.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ingestionQueue().id, 'QueueName'] } }]);
  });

  it('names every alarm after the stack', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(alarm.Properties!.AlarmName).toMatch(/^Docflow-dev-/);
    }
  });
});

describe('cdk-nag (AWS Solutions)', () => {
  it('left nothing unacknowledged in the validation report of the synthesis', () => {
    const report = JSON.parse(readFileSync(path.join(synth.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    const violations = report.pluginReports.flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
  });

  it('finds no error or warning when run directly on the app', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves no CDK warning or error annotation', () => {
    const annotations = Annotations.fromStack(synth.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('bundles', () => {
  it.each(['parser', 'api'] as const)('%s bundle exists, is ESM and carries the require shim', (service) => {
    const { content } = bundleOf(synth, service);
    const text = content.toString('utf8');
    expect(text.startsWith("import { createRequire as __docflowCreateRequire } from 'node:module';")).toBe(true);
    expect(text).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler/);
  });

  it.each(['parser', 'api'] as const)('%s bundle carries no test or infrastructure code', (service) => {
    const text = bundleOf(synth, service).content.toString('utf8');
    // Package names that would only appear if the package's code was bundled. ('vitest' itself
    // can appear inside the SDK's embedded package.json scripts, so its runtime marker is used.)
    for (const marker of ['aws-cdk-lib', 'cdk-nag', 'fast-check', 'dynalite', 's3rver', 'autocannon', '__vitest_worker__']) {
      expect(text, marker).not.toContain(marker);
    }
  });

  it.each(['parser', 'api'] as const)(
    '%s bundle is byte-identical to the bench build (infra/bundling.ts) and pulls in no devDependency',
    async (service) => {
      const outfile = path.join(os.tmpdir(), `docflow-parity-${process.pid}-${service}`, BUNDLE_FILE);
      const result = await esbuild.build({ ...esbuildOptions(FUNCTION_ENTRIES[service], outfile), metafile: true });
      expect(readFileSync(outfile).equals(bundleOf(synth, service).content)).toBe(true);

      const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      };
      const forbidden = [...Object.keys(pkg.devDependencies), 'aws-cdk-lib', 'cdk-nag', 'constructs', 'esbuild', 'dynalite', 's3rver'];
      const inputs = Object.keys(result.metafile.inputs);
      for (const name of forbidden) {
        expect(inputs.filter((input) => input.includes(`node_modules/${name}/`)), name).toEqual([]);
      }
      expect(inputs.filter((input) => /^(infra|tests|bench|cli|local)\//.test(input))).toEqual([]);
    },
  );
});
