import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HandlerFunction } from './handler-function.ts';

export interface ApiProps {
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
   * Comma-separated origins allowed by CORS (CORS_ORIGINS); the app answers preflights itself.
   *
   * @default '*'
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
    const corsOrigins = props.corsOrigins ?? '*';
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
    if (corsOrigins.trim() !== '*' && !origins.every((origin) => /^https?:\/\/[^/?#@\s]+$/i.test(origin))) {
      throw new Error(`corsOrigins must be "*" or a comma-separated list of origins such as https://app.example.com, got "${corsOrigins}".`);
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
      proxy: true,
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

    // LambdaRestApi adds an output of its own (with a hashed id); the stack names the URL
    // output itself, so drop this one to keep the outputs exactly the documented set.
    this.restApi.node.tryRemoveChild('Endpoint');

    this.url = `https://${this.restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.restApi.deploymentStage.stageName}`;

    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: ApiProps): void {
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Lambda proxy on a catch-all resource: API Gateway models cannot describe the routes, so the Hono app validates every path and query parameter and answers bad input with 400 application/problem+json.',
    });
    // Both proxy methods (ANY / and ANY /{proxy+}) live under the root resource.
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(this.restApi.root).acknowledge({
        id,
        reason:
          'The read API is public by design (the brief: nothing is public except the read endpoint); it serves only GET reads of ingested documents, and the stage throttle plus the function reserved concurrency bound abuse.',
      });
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
