// Construct props, defaults and validation, and the context the app reads. Bundling is
// switched off here (aws:cdk:bundling-stacks = []): these tests check wiring, not bundles.
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api, type ApiProps } from '../../infra/constructs/api.ts';
import { Ingestion, type IngestionProps } from '../../infra/constructs/ingestion.ts';
import { Monitoring } from '../../infra/constructs/monitoring.ts';
import { Storage } from '../../infra/constructs/storage.ts';
import { createApp } from '../../infra/create-app.ts';
import { NO_BUNDLING, functionOf, onlyResource } from './helpers.ts';

// One assembly folder for this file's apps, removed at the end (an App without one makes a
// fresh folder in the system temp folder on every synth and leaves it there).
const OUTDIR = mkdtempSync(join(tmpdir(), 'docflow-constructs-'));
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

function storageStack(): { stack: Stack; storage: Storage } {
  const app = new App({ context: NO_BUNDLING, outdir: OUTDIR });
  const stack = new Stack(app, 'Test');
  const storage = new Storage(stack, 'Storage', { documentsBucketName: 'test-documents-bucket' });
  return { stack, storage };
}

function ingestion(overrides: Partial<IngestionProps> = {}): { stack: Stack; ingestion: Ingestion } {
  const { stack, storage } = storageStack();
  const construct = new Ingestion(stack, 'Ingestion', {
    documentsBucket: storage.documentsBucket,
    documentsBucketArnLiteral: storage.documentsBucketArnLiteral,
    bodiesBucket: storage.bodiesBucket,
    table: storage.table,
    ...overrides,
  });
  return { stack, ingestion: construct };
}

function api(overrides: Partial<ApiProps> = {}): { stack: Stack; api: Api } {
  const { stack, storage } = storageStack();
  const construct = new Api(stack, 'Api', {
    table: storage.table,
    bodiesBucket: storage.bodiesBucket,
    stageName: 'test',
    ...overrides,
  });
  return { stack, api: construct };
}

describe('app context', () => {
  it('defaults to the dev stage', () => {
    const { stack } = createApp({ outdir: OUTDIR, context: NO_BUNDLING });
    expect(stack.stackName).toBe('Docflow-dev');
    expect(stack.stage).toBe('dev');
  });

  it.each(['Prod', 'prod_1', '1prod', 'a-stage-name-too-long', ''])('refuses the stage name "%s"', (stage) => {
    expect(() => createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, stage } })).toThrow(/Stage "[^"]*" is not valid/);
  });

  it('reserves no API concurrency when apiReservedConcurrency is "none"', () => {
    const { stack } = createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, apiReservedConcurrency: 'none' } });
    // Read from the construct: synthesizing an unbundled asset would fingerprint the whole project.
    const fn = stack.api.handler.node.defaultChild as lambda.CfnFunction;
    expect(fn.reservedConcurrentExecutions).toBeUndefined();
  });

  it('refuses a log level the functions would reject at cold start', () => {
    expect(() => createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, logLevel: 'verbose' } })).toThrow(/logLevel must be one of/);
  });

  it('reads cursorSecretGraceUntil from context', () => {
    const { stack } = createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, cursorSecretGraceUntil: '2026-05-01T12:00:00Z' } });
    const fn = stack.api.handler.node.defaultChild as lambda.CfnFunction;
    expect(stack.resolve(fn.environment).variables.CURSOR_SECRET_PREVIOUS_UNTIL).toBe('2026-05-01T12:00:00Z');
  });

  it('accepts a list of CORS origins', () => {
    const { stack } = createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, corsOrigins: 'https://a.example.com, http://localhost:5173' } });
    const fn = stack.api.handler.node.defaultChild as lambda.CfnFunction;
    expect(stack.resolve(fn.environment).variables.CORS_ORIGINS).toBe('https://a.example.com, http://localhost:5173');
  });

  it.each(['0', '-1', 'ten', '1.5'])('refuses apiReservedConcurrency "%s"', (value) => {
    expect(() => createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, apiReservedConcurrency: value } })).toThrow(/apiReservedConcurrency/);
  });

  it('passes cdk-nag without bundling too (acknowledgments do not depend on assets)', () => {
    const { app } = createApp({ outdir: OUTDIR, context: { ...NO_BUNDLING, stage: 'staging' } });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});

describe('cdk-nag control', () => {
  it('does report a bucket without logging, SSL enforcement or public access block', () => {
    const app = new App({ outdir: OUTDIR });
    const stack = new Stack(app, 'Control');
    new s3.CfnBucket(stack, 'Bare');
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe('Storage', () => {
  it('refuses an invalid documents bucket name', () => {
    const stack = new Stack(new App({ outdir: OUTDIR }), 'Test');
    expect(() => new Storage(stack, 'Storage', { documentsBucketName: 'Upper_Case' })).toThrow(/not a valid S3 bucket name/);
  });

  it('refuses a non-positive noncurrent version retention', () => {
    const stack = new Stack(new App({ outdir: OUTDIR }), 'Test');
    expect(
      () => new Storage(stack, 'Storage', { documentsBucketName: 'fine-name', noncurrentVersionRetentionDays: 0 }),
    ).toThrow(/noncurrentVersionRetentionDays/);
  });

  it('retains data and protects the table by default', () => {
    const { stack } = storageStack();
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    expect(Object.values(template.findResources('AWS::S3::Bucket')).map((b) => b.DeletionPolicy)).toEqual([
      'Retain',
      'Retain',
      'Retain',
    ]);
  });
});

describe('Ingestion', () => {
  it('uses maxReceiveCount and derives the visibility timeout from the parser timeout', () => {
    const { stack } = ingestion({ maxReceiveCount: 3, parserTimeout: Duration.minutes(1), maxBatchingWindow: Duration.seconds(2) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
      VisibilityTimeout: 6 * 60 + 2,
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 60 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumBatchingWindowInSeconds: 2 });
  });

  it.each([
    ['maxReceiveCount 0', { maxReceiveCount: 0 }, /maxReceiveCount/],
    ['maxReceiveCount 2.5', { maxReceiveCount: 2.5 }, /maxReceiveCount/],
    ['parserTimeout 16 min', { parserTimeout: Duration.minutes(16) }, /parserTimeout/],
    ['batchSize 11', { batchSize: 11 }, /batchSize/],
    ['parserMemorySize 64', { parserMemorySize: 64 }, /parserMemorySize/],
    ['maxBatchingWindow 6 min', { maxBatchingWindow: Duration.minutes(6) }, /maxBatchingWindow/],
  ] as const)('refuses %s', (_label, overrides, message) => {
    expect(() => ingestion(overrides as Partial<IngestionProps>)).toThrow(message);
  });

  it('exposes its queues, function, role and log group', () => {
    const { ingestion: construct } = ingestion();
    expect(construct.queue.deadLetterQueue?.queue).toBe(construct.deadLetterQueue);
    expect(construct.parser.role).toBe(construct.parserRole);
    expect(construct.parserLogGroup).toBeDefined();
  });
});

describe('Api', () => {
  it.each([
    ['stageName with a space', { stageName: 'has space' }, /stageName/],
    ['reservedConcurrency 0', { reservedConcurrency: 0 }, /reservedConcurrency/],
    ['throttlingRateLimit 0', { throttlingRateLimit: 0 }, /throttling/],
    ['timeout 30 s', { timeout: Duration.seconds(30) }, /29 seconds/],
    ['blank corsOrigins', { corsOrigins: ' ' }, /corsOrigins/],
    ['a corsOrigins entry with a path', { corsOrigins: 'https://a.example.com,https://b.example.com/app' }, /corsOrigins/],
    ['an unknown auth mode', { auth: 'public' }, /auth must be one of apiKey, iam, none/],
    ['quotaPerDay 0', { quotaPerDay: 0 }, /quotaPerDay/],
    ['a grace period that is no instant', { cursorSecretGraceUntil: 'next week' }, /cursorSecretGraceUntil/],
  ] as const)('refuses %s', (_label, overrides, message) => {
    expect(() => api(overrides as Partial<ApiProps>)).toThrow(message);
  });

  it('applies throttling props and skips reserved concurrency when told to', () => {
    const { stack } = api({ throttlingRateLimit: 5, throttlingBurstLimit: 10, reserveConcurrency: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'test',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })],
    });
    expect(functionOf(template, 'api').resource.Properties!.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('passes the previous cursor secret (AWSPREVIOUS) and the end of its grace period only when told to', () => {
    const environment = (overrides: Partial<ApiProps>) => {
      const { stack, api: construct } = api(overrides);
      const fn = construct.handler.node.defaultChild as lambda.CfnFunction;
      return { variables: stack.resolve(fn.environment).variables as Record<string, unknown>, secretId: stack.getLogicalId(construct.cursorSecret.node.defaultChild as CfnElement) };
    };
    const plain = environment({});
    expect(plain.variables).not.toHaveProperty('CURSOR_SECRET_PREVIOUS');
    expect(plain.variables).not.toHaveProperty('CURSOR_SECRET_PREVIOUS_UNTIL');

    const rotating = environment({ cursorSecretGraceUntil: '2026-05-01T12:00:00Z' });
    expect(rotating.variables.CURSOR_SECRET_PREVIOUS_UNTIL).toBe('2026-05-01T12:00:00Z');
    expect(rotating.variables.CURSOR_SECRET_PREVIOUS).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: rotating.secretId }, ':SecretString::AWSPREVIOUS:}}']],
    });
  });

  it("drops LambdaRestApi's own endpoint output", () => {
    const { stack } = api();
    expect(Template.fromStack(stack).toJSON().Outputs).toBeUndefined();
  });
});

describe('Monitoring', () => {
  function monitoring(options: { withTopic?: boolean; maxMessageAge?: Duration } = {}): Stack {
    const { stack, storage } = storageStack();
    const ingest = new Ingestion(stack, 'Ingestion', {
      documentsBucket: storage.documentsBucket,
      documentsBucketArnLiteral: storage.documentsBucketArnLiteral,
      bodiesBucket: storage.bodiesBucket,
      table: storage.table,
    });
    const read = new Api(stack, 'Api', { table: storage.table, bodiesBucket: storage.bodiesBucket, stageName: 'test' });
    new Monitoring(stack, 'Monitoring', {
      alarmNamePrefix: 'Test',
      deadLetterQueue: ingest.deadLetterQueue,
      queue: ingest.queue,
      parser: ingest.parser,
      api: read.handler,
      restApi: read.restApi,
      alarmTopic: options.withTopic ? new sns.Topic(stack, 'Alarms') : undefined,
      maxMessageAge: options.maxMessageAge,
    });
    return stack;
  }

  it('has no alarm actions by default', () => {
    const template = Template.fromStack(monitoring());
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  it('notifies a topic on alarm and on recovery when given one', () => {
    const template = Template.fromStack(monitoring({ withTopic: true }));
    const topic = onlyResource(template, 'AWS::SNS::Topic');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic.id }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic.id }]);
    }
  });

  it('refuses a backlog age under a minute', () => {
    expect(() => monitoring({ maxMessageAge: Duration.seconds(30) })).toThrow(/maxMessageAge/);
  });

  it('watches the queue backlog at the configured age', () => {
    const template = Template.fromStack(monitoring({ maxMessageAge: Duration.minutes(30) }));
    const backlog = onlyResource(template, 'AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateAgeOfOldestMessage' } });
    expect(backlog.resource.Properties!.Threshold).toBe(1800);
  });
});
