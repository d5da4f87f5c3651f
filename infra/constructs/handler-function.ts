import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import path from 'node:path';
import { FUNCTION_ENTRIES, PROJECT_ROOT, cdkBundlingOptions, type FunctionName } from '../bundling.ts';

/** Settings shared by every function of the app. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const FUNCTION_ARCHITECTURE = lambda.Architecture.ARM_64;

export interface HandlerFunctionProps {
  /** Which handler under `functions/` to deploy. */
  readonly name: FunctionName;
  /** Shown in the Lambda console. */
  readonly description: string;
  /** Environment variables, merged after the common ones (LOG_LEVEL, POWERTOOLS_SERVICE_NAME). */
  readonly environment: Record<string, string>;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Memory in MB. */
  readonly memorySize: number;
  /** How long the function's log group keeps events. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** Value of LOG_LEVEL. */
  readonly logLevel: string;
  /**
   * Reserved concurrency, the function's hard ceiling.
   *
   * @default - none: the function draws from the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One bundled Node.js handler with its own role and log group.
 *
 * The role is created here rather than by `NodejsFunction` so it carries no AWS managed
 * policy: the only built-in permission is writing to this function's own log group. The
 * explicit log group (with retention) replaces the `LogRetention` custom resource that
 * `logRetention` would deploy.
 */
export class HandlerFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, FUNCTION_ENTRIES[props.name]),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: props.name,
        ...props.environment,
      },
      bundling: cdkBundlingOptions(),
    });
  }
}
