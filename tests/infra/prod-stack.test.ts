// A non-throwaway stage, synthesized once with real bundling: data is retained and
// protected, and context values reach the resources.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionOf, onlyResource, synthStage, type Resource, type Synthesized } from './helpers.ts';

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthStage('prod', { corsOrigins: 'https://news.example.org', apiReservedConcurrency: '40', logLevel: 'WARN' });
  template = synth.template;
});

afterAll(() => synth?.cleanup());

describe('prod stage', () => {
  it('is named Docflow-prod and its documents bucket docflow-prod-documents-<account>-<region>', () => {
    expect(synth.stack.stackName).toBe('Docflow-prod');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: { 'Fn::Join': ['', ['docflow-prod-documents-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] },
    });
  });

  it('retains every bucket and the table, on delete and on replacement', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as Resource[];
    expect(buckets).toHaveLength(3);
    for (const resource of [...buckets, onlyResource(template, 'AWS::DynamoDB::Table').resource]) {
      expect(resource.DeletionPolicy).toBe('Retain');
      expect((resource as { UpdateReplacePolicy?: string }).UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('turns on deletion protection and point-in-time recovery on the table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('keeps function and access logs for a month, and retains the log groups', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(groups).toHaveLength(3);
    for (const group of groups) {
      expect(group.Properties!.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('still deploys no custom resource and only the two functions', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, Resource>).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::'))).toEqual([]);
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('takes CORS origins, reserved concurrency and log level from context', () => {
    const api = functionOf(template, 'api').resource.Properties!;
    expect(api.Environment.Variables.CORS_ORIGINS).toBe('https://news.example.org');
    expect(api.Environment.Variables.LOG_LEVEL).toBe('WARN');
    expect(api.ReservedConcurrentExecutions).toBe(40);
    expect(functionOf(template, 'parser').resource.Properties!.Environment.Variables.LOG_LEVEL).toBe('WARN');
  });

  it('uses the stage name as the REST stage and in alarm names', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('^Docflow-prod-') });
  });

  it('passes cdk-nag with nothing left unacknowledged and no CDK warning', () => {
    const report = JSON.parse(readFileSync(path.join(synth.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    expect(Annotations.fromStack(synth.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
