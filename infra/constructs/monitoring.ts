import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Prefix of every alarm name, e.g. the stack name. */
  readonly alarmNamePrefix: string;
  /** The dead-letter queue: any message in it is an ingestion that gave up. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The ingestion queue, watched for a backlog. */
  readonly queue: sqs.IQueue;
  /** The parser function: errors and throttles. */
  readonly parser: lambda.IFunction;
  /** The API function: errors. */
  readonly api: lambda.IFunction;
  /** The REST API: 5XX answers. */
  readonly restApi: apigw.RestApi;
  /**
   * Age of the oldest queued message that counts as a backlog.
   *
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Where alarms notify (and notify again when they clear).
   *
   * @default - no actions: the alarms show in the console only
   */
  readonly alarmTopic?: sns.ITopic;
}

/** CloudWatch alarms on the signals that mean documents are not flowing or the API is failing. */
export class Monitoring extends Construct {
  /** Messages are waiting in the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The oldest queued message is older than `maxMessageAge`. */
  public readonly backlogAlarm: cloudwatch.Alarm;
  /** The parser function threw (a whole batch failed, not a single record). */
  public readonly parserErrorsAlarm: cloudwatch.Alarm;
  /** The parser function was throttled. */
  public readonly parserThrottlesAlarm: cloudwatch.Alarm;
  /** The API function threw. */
  public readonly apiErrorsAlarm: cloudwatch.Alarm;
  /** The REST API answered 5XX. */
  public readonly api5xxAlarm: cloudwatch.Alarm;
  /** Every alarm above. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    if (maxAge.toSeconds() < 60) {
      throw new Error(`maxMessageAge must be at least one minute, got ${maxAge.toHumanString()}.`);
    }
    if (props.alarmNamePrefix.trim() === '') throw new Error('alarmNamePrefix must not be empty.');

    const fiveMinutes = Duration.minutes(5);
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    } as const;
    const name = (suffix: string) => `${props.alarmNamePrefix}-${suffix}`;

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterQueueNotEmpty', {
      ...atLeastOnce,
      alarmName: name('dead-letter-queue-not-empty'),
      alarmDescription:
        'Ingestion messages exhausted their retries. Inspect them, fix the cause, then replay with `ingest redrive`.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
    });

    this.backlogAlarm = new cloudwatch.Alarm(this, 'QueueBacklog', {
      alarmName: name('ingestion-backlog'),
      alarmDescription: `The oldest message in the ingestion queue is older than ${maxAge.toHumanString()}: the parser is not keeping up or not running.`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.parserErrorsAlarm = new cloudwatch.Alarm(this, 'ParserErrors', {
      ...atLeastOnce,
      alarmName: name('parser-errors'),
      alarmDescription: 'The parser function failed whole invocations (its batch will be retried).',
      metric: props.parser.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    });

    this.parserThrottlesAlarm = new cloudwatch.Alarm(this, 'ParserThrottles', {
      ...atLeastOnce,
      alarmName: name('parser-throttles'),
      alarmDescription: 'The parser function was throttled: the account or function concurrency limit was reached.',
      metric: props.parser.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    });

    this.apiErrorsAlarm = new cloudwatch.Alarm(this, 'ApiErrors', {
      ...atLeastOnce,
      alarmName: name('api-errors'),
      alarmDescription: 'The API function failed invocations (callers got a 502).',
      metric: props.api.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    });

    this.api5xxAlarm = new cloudwatch.Alarm(this, 'Api5xx', {
      ...atLeastOnce,
      alarmName: name('api-5xx'),
      alarmDescription: 'The REST API answered 5XX (function errors, timeouts or integration failures).',
      metric: props.restApi.deploymentStage.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
    });

    this.alarms = [
      this.deadLetterAlarm,
      this.backlogAlarm,
      this.parserErrorsAlarm,
      this.parserThrottlesAlarm,
      this.apiErrorsAlarm,
      this.api5xxAlarm,
    ];

    if (props.alarmTopic !== undefined) {
      const action = new actions.SnsAction(props.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
