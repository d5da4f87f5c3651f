import { Annotations, Aws, Duration, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HandlerFunction } from './handler-function.ts';

/** How readers prove who they are: `-c apiAuth=...` at deploy. */
export const API_AUTH_MODES = ['apiKey', 'iam', 'none'] as const;
export type ApiAuth = (typeof API_AUTH_MODES)[number];

export interface ApiProps {
  /**
   * `apiKey`: every method needs the `x-api-key` header, with one generated key in a usage
   * plan (stage throttle, daily quota). `iam`: every method needs a SigV4 signature
   * (`AWS_IAM`), and a managed policy for readers is created. `none`: public, with a
   * synth-time warning. CORS preflights (`OPTIONS`) never need credentials.
   *
   * @default 'apiKey'
   */
  readonly auth?: ApiAuth;
  /**
   * Requests a day the usage plan allows the key, with {@link auth} `apiKey`.
   *
   * @default 100000
   */
  readonly quotaPerDay?: number;
  /**
   * Until when the cursor signer also accepts cursors signed with the secret's previous
   * version (`AWSPREVIOUS`), after a rotation: an ISO 8601 instant. Set it only once the
   * secret has a previous version, or the deploy fails to resolve the reference.
   *
   * @default - no previous secret
   */
  readonly cursorSecretGraceUntil?: string;
  /** The documents table; the API only reads it. */
  readonly table: dynamodb.Table;
  /** Large bodies; the API only reads them. */
  readonly bodiesBucket: s3.Bucket;
  /**
   * Name of the REST API stage, which is also the first path segment of the URL.
   * Letters, digits, hyphens and underscores.
   */
  readonly stageName: string;
  /**
   * Name of the REST API in the console.
   *
   * @default - the construct path
   */
  readonly apiName?: string;
  /**
   * Comma-separated origins allowed by CORS (CORS_ORIGINS), `none` or `*`; the app answers
   * preflights itself.
   *
   * @default - '*' with auth `none`, otherwise 'none' (no cross-origin access)
   */
  readonly corsOrigins?: string;
  /**
   * Whether to reserve concurrency for the API function. Reserving caps how many copies run
   * at once, which is the abuse limit behind the stage throttle; accounts with the default
   * new-account quota (10) cannot reserve any, and must turn this off.
   *
   * @default true
   */
  readonly reserveConcurrency?: boolean;
  /**
   * Reserved concurrency of the API function, when {@link reserveConcurrency} is on.
   *
   * @default 20
   */
  readonly reservedConcurrency?: number;
  /**
   * Steady-state requests per second the stage accepts before answering 429.
   *
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the stage accepts before answering 429.
   *
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * API function timeout (API Gateway gives up after 29 s whatever this is).
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * API function memory in MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Throwaway stage: log groups and the cursor secret are destroyed with the stack.
   *
   * @default false
   */
  readonly ephemeral?: boolean;
  /**
   * Retention of the function's log group and of the access log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * LOG_LEVEL of the API function.
   *
   * @default 'INFO'
   */
  readonly logLevel?: string;
}

/**
 * The read path: a REST API (API Gateway v1, Lambda proxy) in front of the api function.
 *
 * REST rather than an HTTP API because LocalStack's free tier has only v1; REST rather than
 * a function URL because the stage gives request throttling and access logs without code.
 */
export class Api extends Construct {
  public readonly restApi: apigw.LambdaRestApi;
  public readonly auth: ApiAuth;
  /** The generated key (its id only: the value stays in API Gateway), with auth `apiKey`. */
  public readonly apiKey: apigw.IApiKey | undefined;
  public readonly usagePlan: apigw.UsagePlan | undefined;
  /** Lets a principal call every read method, with auth `iam`. */
  public readonly readerPolicy: iam.ManagedPolicy | undefined;
  public readonly handler: NodejsFunction;
  public readonly handlerRole: iam.Role;
  public readonly handlerLogGroup: logs.LogGroup;
  public readonly accessLogGroup: logs.LogGroup;
  /** Signs pagination cursors. */
  public readonly cursorSecret: secretsmanager.Secret;
  /** Base URL of the API, without a trailing slash: `https://<id>.execute-api.<region>.<suffix>/<stage>`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    const reserve = props.reserveConcurrency ?? true;
    const reserved = props.reservedConcurrency ?? 20;
    const rate = props.throttlingRateLimit ?? 50;
    const burst = props.throttlingBurstLimit ?? 100;
    const timeout = props.timeout ?? Duration.seconds(10);
    const memorySize = props.memorySize ?? 512;
    const auth = props.auth ?? 'apiKey';
    const quotaPerDay = props.quotaPerDay ?? 100_000;
    // Any origin only for a public API; with credentials, browsers on other origins are opt-in.
    const corsOrigins = props.corsOrigins ?? (auth === 'none' ? '*' : 'none');
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const removalPolicy = props.ephemeral ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    if (!/^[A-Za-z0-9_-]{1,128}$/.test(props.stageName)) {
      throw new Error(`stageName must be 1-128 letters, digits, hyphens or underscores, got "${props.stageName}".`);
    }
    if (!Number.isInteger(reserved) || reserved < 1) {
      throw new Error(`reservedConcurrency must be a positive whole number, got ${reserved}.`);
    }
    if (!(rate > 0) || !Number.isInteger(burst) || burst < 1) {
      throw new Error(`throttling limits must be positive (rate ${rate}, burst ${burst}).`);
    }
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 29) {
      throw new Error(`timeout must be between 1 and 29 seconds (API Gateway's limit), got ${timeout.toHumanString()}.`);
    }
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}.`);
    }
    // The function checks the same at cold start; failing at synth is cheaper than a deploy
    // whose every request answers 502.
    const origins = corsOrigins.split(',').map((origin) => origin.trim());
    if (!API_AUTH_MODES.includes(auth)) {
      throw new Error(`auth must be one of ${API_AUTH_MODES.join(', ')}, got "${String(auth)}".`);
    }
    if (!Number.isInteger(quotaPerDay) || quotaPerDay < 1) {
      throw new Error(`quotaPerDay must be a positive whole number, got ${quotaPerDay}.`);
    }
    if (props.cursorSecretGraceUntil !== undefined && !isInstant(props.cursorSecretGraceUntil)) {
      throw new Error(`cursorSecretGraceUntil must be an ISO 8601 instant such as 2026-05-01T00:00:00Z, got "${props.cursorSecretGraceUntil}".`);
    }
    if (!['*', 'none'].includes(corsOrigins.trim()) && !origins.every((origin) => /^https?:\/\/[^/?#@\s]+$/i.test(origin))) {
      throw new Error(`corsOrigins must be "*", "none" or a comma-separated list of origins such as https://app.example.com, got "${corsOrigins}".`);
    }

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'HMAC key that signs the read API pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only signs pagination cursors (no data access, no user credentials); rotating it would merely invalidate the cursors open at that moment. Rotate by redeploying after `aws secretsmanager put-secret-value`.',
    });

    const fn = new HandlerFunction(this, 'Handler', {
      name: 'api',
      description: 'Read API: documents, listings and failures (Hono)',
      timeout,
      memorySize,
      logRetention: retention,
      logRemovalPolicy: removalPolicy,
      logLevel: props.logLevel ?? 'INFO',
      reservedConcurrentExecutions: reserve ? reserved : undefined,
      environment: {
        TABLE_NAME: props.table.tableName,
        BODIES_BUCKET: props.bodiesBucket.bucketName,
        // A CloudFormation dynamic reference: resolved at deploy time into the function's
        // configuration, so the handler reads it from the environment with no SDK call at
        // cold start. Trade-off: anyone allowed lambda:GetFunctionConfiguration can read it.
        CURSOR_SECRET: this.cursorSecret.secretValue.unsafeUnwrap(),
        CORS_ORIGINS: corsOrigins,
        ...(props.cursorSecretGraceUntil === undefined
          ? {}
          : {
              // The version rotation moved aside: cursors handed out before it keep working
              // until the grace period ends.
              CURSOR_SECRET_PREVIOUS: SecretValue.secretsManager(this.cursorSecret.secretArn, { versionStage: 'AWSPREVIOUS' }).unsafeUnwrap(),
              CURSOR_SECRET_PREVIOUS_UNTIL: props.cursorSecretGraceUntil,
            }),
      },
    });
    this.handler = fn.function;
    this.handlerRole = fn.role;
    this.handlerLogGroup = fn.logGroup;

    props.table.grantReadData(this.handlerRole);
    this.handlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBodies',
        actions: ['s3:GetObject'],
        resources: [props.bodiesBucket.arnForObjects('*')],
      }),
    );
    // ListBucket turns a missing body into 404 NoSuchKey instead of 403.
    this.handlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListBodies',
        actions: ['s3:ListBucket'],
        resources: [props.bodiesBucket.bucketArn],
      }),
    );

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention, removalPolicy });

    this.restApi = new apigw.LambdaRestApi(this, 'RestApi', {
      handler: this.handler,
      // Methods added below: the credentials each needs depend on the mode, and preflights none.
      proxy: false,
      restApiName: props.apiName,
      description: 'Docflow read API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging (below) needs the account-wide API Gateway CloudWatch role. It is
      // one setting per account and region, so it outlives this stack.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: rate,
        throttlingBurstLimit: burst,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });

    this.auth = auth;
    const methods = this.addMethods(auth);
    if (auth === 'apiKey') {
      // No value given: API Gateway generates it, so it is in no template, output or log.
      this.apiKey = new apigw.ApiKey(this, 'ReadKey', { description: `Reads the ${props.stageName} read API (ingest api-key prints it)` });
      this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
        description: 'The read key: the stage throttle and a daily quota',
        throttle: { rateLimit: rate, burstLimit: burst },
        quota: { limit: quotaPerDay, period: apigw.Period.DAY },
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
      this.usagePlan.addApiKey(this.apiKey);
    }
    if (auth === 'iam') {
      this.readerPolicy = new iam.ManagedPolicy(this, 'ReaderPolicy', {
        description: `Calls the read methods of the ${props.stageName} read API`,
        statements: [
          new iam.PolicyStatement({
            sid: 'ReadApi',
            actions: ['execute-api:Invoke'],
            resources: ['GET', 'HEAD'].map((method) => this.restApi.arnForExecuteApi(method, '/*', props.stageName)),
          }),
        ],
      });
      const apiId = Stack.of(this).getLogicalId(this.restApi.node.defaultChild as apigw.CfnRestApi);
      Validations.of(this.readerPolicy).acknowledge(
        ...['GET', 'HEAD'].map((method) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${props.stageName}/${method}/*]`,
          reason: `The wildcard is every path of this one API and stage, for ${method} only: what a reader may call, and nothing else.`,
        })),
      );
    }
    if (auth === 'none') {
      Annotations.of(this).addWarningV2(
        'docflow:api-public',
        'apiAuth=none: the read API is public, anyone who learns its URL can read every ingested document. Deploy with apiAuth=apiKey (the default) or iam to require credentials.',
      );
    }

    // LambdaRestApi adds an output of its own (with a hashed id); the stack names the URL
    // output itself, so drop this one to keep the outputs exactly the documented set.
    this.restApi.node.tryRemoveChild('Endpoint');

    this.url = `https://${this.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.restApi.deploymentStage.stageName}`;

    this.acknowledgeFindings(props, methods);
  }

  /**
   * ANY on `/` and on `/{proxy+}` with the mode's credentials, and OPTIONS on both with none:
   * a browser sends no credentials on a preflight. All go to the function, which answers
   * preflights with 204 and the CORS headers, as the method responses declare.
   */
  private addMethods(auth: ApiAuth): apigw.Method[] {
    const guarded: apigw.MethodOptions =
      auth === 'apiKey'
        ? { apiKeyRequired: true, authorizationType: apigw.AuthorizationType.NONE }
        : { apiKeyRequired: false, authorizationType: auth === 'iam' ? apigw.AuthorizationType.IAM : apigw.AuthorizationType.NONE };
    const preflight: apigw.MethodOptions = {
      apiKeyRequired: false,
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: [
        {
          statusCode: '204',
          responseParameters: {
            'method.response.header.Access-Control-Allow-Origin': true,
            'method.response.header.Access-Control-Allow-Methods': true,
            'method.response.header.Access-Control-Allow-Headers': true,
            'method.response.header.Access-Control-Max-Age': true,
          },
        },
      ],
    };
    const methods: apigw.Method[] = [];
    for (const resource of [this.restApi.root, this.restApi.root.addProxy({ anyMethod: false })]) {
      methods.push(resource.addMethod('ANY', undefined, guarded));
      resource.addMethod('OPTIONS', undefined, preflight);
    }
    return methods;
  }

  private acknowledgeFindings(props: ApiProps, methods: readonly apigw.Method[]): void {
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Lambda proxy on a catch-all resource: API Gateway models cannot describe the routes, so the Hono app validates every path and query parameter and answers bad input with 400 application/problem+json.',
    });
    // On the two ANY methods only (preflights are exempt from both rules): what guards them.
    for (const method of methods) {
      Validations.of(method).acknowledge(...AUTH_ACKNOWLEDGEMENTS[this.auth]);
    }
    Validations.of(this.restApi.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF web ACL: a web ACL costs a monthly fee per stage even when idle, and LocalStack cannot emulate it; the stage throttle (rate/burst) and reserved concurrency are the abuse limits. Attach an ACL here when the API faces untrusted traffic at scale.',
    });
    Validations.of(this.restApi.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'API Gateway\'s account-wide logging role must be able to create log groups whose names API Gateway chooses per API and stage; the AWS managed policy is the documented policy for exactly that role.',
    });

    const stack = Stack.of(this);
    const tableId = stack.getLogicalId(props.table.node.defaultChild as dynamodb.CfnTable);
    const bodiesId = stack.getLogicalId(props.bodiesBucket.node.defaultChild as s3.CfnBucket);
    Validations.of(this.handlerRole.node.findChild('DefaultPolicy')).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: 'The API only reads (grantReadData) and queries the four GSIs of its own table; the wildcard covers exactly those indexes.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bodiesId}.Arn>/*]`,
        reason: 'The API reads (GetObject only) the large bodies whose keys the table items name; the resource is limited to the one bodies bucket.',
      },
    );
  }
}

/**
 * What cdk-nag's authorization rules are told in each mode. APIG4 counts only authorizers
 * (IAM, Cognito, Lambda) as authorization, and COG4 only Cognito user pools; the public
 * acknowledgement exists only in `none`.
 */
const AUTH_ACKNOWLEDGEMENTS: Readonly<Record<ApiAuth, readonly { id: string; reason: string }[]>> = {
  apiKey: [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Every method requires an API key (apiKeyRequired, x-api-key) that belongs to a usage plan with a throttle and a daily quota; cdk-nag counts only authorizers. Deploy with apiAuth=iam for SigV4 instead.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'Readers are services holding the API key, not people signing in: there is no user directory for a Cognito user pool.',
    },
  ],
  iam: [
    {
      id: 'AwsSolutions-COG4',
      reason: 'Every method requires a SigV4 signature (AWS_IAM); readers are IAM principals with the reader policy, not people signing in to a Cognito user pool.',
    },
  ],
  none: [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Public by the deployer\'s explicit choice (apiAuth=none, which warns at synth): only GET reads of ingested documents, bounded by the stage throttle and the function\'s reserved concurrency.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'Public by the deployer\'s explicit choice (apiAuth=none): no credentials of any kind are asked for.',
    },
  ],
};

function isInstant(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}
