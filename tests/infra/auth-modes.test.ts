// The three ways the read API can ask for credentials (-c apiAuth=apiKey|iam|none): each mode's
// template, and what cdk-nag was told about authorization in it. Bundling is off: these tests
// check the API's wiring, not the bundles (dev-stack.test.ts synthesizes those).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/create-app.ts';
import type { DocflowStack } from '../../infra/stack.ts';
import { NO_BUNDLING, functionOf, onlyResource, type Resource } from './helpers.ts';

interface Mode {
  app: App;
  stack: DocflowStack;
  template: Template;
  /** Every acknowledged rule id in the stack, with its reason. */
  acknowledged: { id: string; reason: string }[];
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function synth(context: Record<string, unknown>): Mode {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'docflow-auth-'));
  dirs.push(outdir);
  const { app, stack } = createApp({ context: { ...NO_BUNDLING, stage: 'staging', ...context }, outdir });
  const template = Template.fromStack(stack);
  const acknowledged = stack.node
    .findAll()
    .flatMap((node: IConstruct) => node.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'))
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
  return { app, stack, template, acknowledged };
}

const methods = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Method')) as Resource[];
const guarded = (template: Template) => methods(template).filter((m) => m.Properties!.HttpMethod === 'ANY');
const preflights = (template: Template) => methods(template).filter((m) => m.Properties!.HttpMethod === 'OPTIONS');
const authAcknowledgements = (mode: Mode) => mode.acknowledged.filter((a) => /APIG4|COG4/.test(a.id));

/** What holds in every mode: nag-clean, preflights open and proxied, two guarded ANY methods. */
function commonChecks(get: () => Mode): void {
  it('passes cdk-nag with nothing left unacknowledged', () => {
    expect(new AwsSolutionsChecks().validateScope(get().app).violations).toEqual([]);
  });

  it('leaves OPTIONS on / and /{proxy+} open, proxied to the function, declared as 204 with CORS headers', () => {
    const { template } = get();
    const api = functionOf(template, 'api');
    expect(preflights(template)).toHaveLength(2);
    for (const method of preflights(template)) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false, Integration: { Type: 'AWS_PROXY' } });
      expect(JSON.stringify(method.Properties!.Integration.Uri)).toContain(`"${api.id}"`);
      expect(method.Properties!.MethodResponses).toEqual([
        {
          StatusCode: '204',
          ResponseParameters: expect.objectContaining({
            'method.response.header.Access-Control-Allow-Origin': true,
            'method.response.header.Access-Control-Allow-Headers': true,
          }),
        },
      ]);
    }
    expect(guarded(template)).toHaveLength(2);
  });

  it('names the mode in the ApiAuth output', () => {
    const { template, stack } = get();
    expect(template.toJSON().Outputs.ApiAuth.Value).toBe(stack.api.auth);
  });
}

describe('apiAuth=apiKey (the default)', () => {
  let mode: Mode;
  beforeAll(() => {
    mode = synth({ apiQuotaPerDay: '5000', apiThrottleRate: '20', apiThrottleBurst: '40' });
  });
  commonChecks(() => mode);

  it('is the default', () => {
    expect(mode.stack.api.auth).toBe('apiKey');
  });

  it('requires an API key on every method but the preflights', () => {
    for (const method of guarded(mode.template)) {
      expect(method.Properties).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'NONE' });
    }
  });

  it('creates one key, with no value in the template, in a usage plan with the stage throttle and a daily quota', () => {
    const key = onlyResource(mode.template, 'AWS::ApiGateway::ApiKey');
    expect(key.resource.Properties).not.toHaveProperty('Value');
    expect(key.resource.Properties!.Enabled).toBe(true);
    const plan = onlyResource(mode.template, 'AWS::ApiGateway::UsagePlan');
    mode.template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 5000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: { Ref: onlyResource(mode.template, 'AWS::ApiGateway::RestApi').id }, Stage: { Ref: Match.anyValue() } })],
    });
    mode.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyId: { Ref: key.id }, KeyType: 'API_KEY', UsagePlanId: { Ref: plan.id } });
    mode.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 })],
    });
  });

  it('outputs the key id and never its value, and logs no key', () => {
    const { Outputs } = mode.template.toJSON();
    const key = onlyResource(mode.template, 'AWS::ApiGateway::ApiKey');
    expect(Outputs.ApiKeyId.Value).toEqual({ Ref: key.id });
    // Fn::GetAtt on an ApiKey gives its id, never its value; no output may use one.
    expect(JSON.stringify(Outputs)).not.toMatch(/"Fn::GetAtt":\["[^"]*ReadKey/);
    const stage = onlyResource(mode.template, 'AWS::ApiGateway::Stage').resource.Properties!;
    expect(stage.AccessLogSetting.Format).not.toMatch(/apiKey/i);
    expect(JSON.stringify(functionOf(mode.template, 'api').resource.Properties!.Environment)).not.toMatch(/API_KEY|ApiKey/);
  });

  it('allows no cross-origin browser access unless origins are given', () => {
    expect(functionOf(mode.template, 'api').resource.Properties!.Environment.Variables.CORS_ORIGINS).toBe('none');
  });

  it('tells cdk-nag what guards the methods, never that the API is public', () => {
    const acknowledgements = authAcknowledgements(mode);
    expect(acknowledgements.map((a) => a.id.replace(/^.*::/, '')).sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-APIG4', 'AwsSolutions-COG4', 'AwsSolutions-COG4']);
    for (const { reason } of acknowledgements) expect(reason).not.toMatch(/public/i);
    expect(acknowledgements.some((a) => /API key/.test(a.reason))).toBe(true);
  });

  it('leaves no CDK warning', () => {
    expect(Annotations.fromStack(mode.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('apiAuth=iam', () => {
  let mode: Mode;
  beforeAll(() => {
    mode = synth({ apiAuth: 'iam' });
  });
  commonChecks(() => mode);

  it('uses AWS_IAM on every method but the preflights, and creates no key or usage plan', () => {
    for (const method of guarded(mode.template)) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
    }
    mode.template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    mode.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
  });

  it('creates a managed reader policy that may only invoke GET and HEAD on this API and stage, and outputs it', () => {
    const policy = onlyResource(mode.template, 'AWS::IAM::ManagedPolicy');
    const statements = policy.resource.Properties!.PolicyDocument.Statement as { Action: string; Effect: string; Resource: unknown[] }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Action: 'execute-api:Invoke', Effect: 'Allow' });
    const resources = JSON.stringify(statements[0]!.Resource);
    expect(resources).toContain('/staging/GET/*');
    expect(resources).toContain('/staging/HEAD/*');
    expect(statements[0]!.Resource).toHaveLength(2);
    expect(mode.template.toJSON().Outputs.ReaderPolicyArn.Value).toEqual({ Ref: policy.id });
  });

  it('acknowledges only COG4 (no Cognito), with no public claim; APIG4 is met by AWS_IAM', () => {
    const acknowledgements = authAcknowledgements(mode);
    expect(acknowledgements.map((a) => a.id.replace(/^.*::/, ''))).toEqual(['AwsSolutions-COG4', 'AwsSolutions-COG4']);
    for (const { reason } of acknowledgements) expect(reason).not.toMatch(/public/i);
  });
});

describe('apiAuth=none', () => {
  let mode: Mode;
  beforeAll(() => {
    mode = synth({ apiAuth: 'none' });
  });
  commonChecks(() => mode);

  it('asks for nothing, and defaults CORS to any origin', () => {
    for (const method of guarded(mode.template)) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false });
    }
    mode.template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    expect(functionOf(mode.template, 'api').resource.Properties!.Environment.Variables.CORS_ORIGINS).toBe('*');
  });

  it('warns at synth that the API is public', () => {
    const warnings = Annotations.fromStack(mode.stack).findWarning('*', Match.stringLikeRegexp('read API is public'));
    expect(warnings).toHaveLength(1);
  });

  it('is the only mode whose acknowledgements say public', () => {
    const acknowledgements = authAcknowledgements(mode);
    expect(acknowledgements.map((a) => a.id.replace(/^.*::/, '')).sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-APIG4', 'AwsSolutions-COG4', 'AwsSolutions-COG4']);
    for (const { reason } of acknowledgements) expect(reason).toMatch(/public/i);
  });
});

describe('apiAuth context', () => {
  it.each(['apikey', 'public', ''])('refuses apiAuth "%s"', (apiAuth) => {
    expect(() => createApp({ context: { ...NO_BUNDLING, apiAuth } })).toThrow(/apiAuth/);
  });

  it.each([['apiQuotaPerDay', '0'], ['apiQuotaPerDay', 'lots'], ['apiThrottleRate', '-1']])('refuses %s "%s"', (key, value) => {
    expect(() => createApp({ context: { ...NO_BUNDLING, [key]: value } })).toThrow(/quota|throttl|positive/i);
  });
});
