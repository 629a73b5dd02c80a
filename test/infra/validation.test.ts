import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { PipelineConfigError, type MeterIngestionPipelineProps } from '../../infra/index.ts';
import { buildPipeline } from './helpers.ts';

describe('settings out of range are rejected at synth time, naming the setting', () => {
  const cases: [string, Partial<MeterIngestionPipelineProps>, RegExp][] = [
    ['empty bucket name', { amberfloBucketName: '' }, /^amberfloBucketName must be an S3 bucket name/],
    ['bucket name with capitals', { amberfloBucketName: 'Amberflo' }, /^amberfloBucketName must be/],
    ['processor buffer below 0.2 MB', { processorBufferSize: Size.kibibytes(194.56) }, /^processorBufferSize must be a number of MiB from 0.2 to 3, got 0.19$/],
    ['processor buffer above 3 MB', { processorBufferSize: Size.mebibytes(3.5) }, /^processorBufferSize must be a number of MiB from 0.2 to 3, got 3.5$/],
    ['processor interval above 900 s', { processorBufferInterval: Duration.seconds(901) }, /^processorBufferInterval must be a whole number of seconds from 0 to 900, got 901$/],
    ['negative processor retries', { processorRetries: -1 }, /^processorRetries must be a whole number from 0 to 300, got -1$/],
    ['processor retries above 300', { processorRetries: 301 }, /^processorRetries must be a whole number from 0 to 300, got 301$/],
    ['destination interval of a fraction of a second', { destinationBufferInterval: Duration.millis(1500) }, /^destinationBufferInterval must be a whole number of seconds from 0 to 900, got 1.5$/],
    ['destination interval above 900 s', { destinationBufferInterval: Duration.minutes(16) }, /^destinationBufferInterval must be a whole number of seconds from 0 to 900, got 960$/],
    ['destination size below 1 MiB', { destinationBufferSize: Size.kibibytes(512) }, /^destinationBufferSize must be a whole number of MiB from 1 to 128, got 0.5$/],
    ['destination size above 128 MiB', { destinationBufferSize: Size.mebibytes(129) }, /^destinationBufferSize must be a whole number of MiB from 1 to 128, got 129$/],
    ['fractional destination size', { destinationBufferSize: Size.mebibytes(1.5) }, /^destinationBufferSize must be a whole number of MiB/],
    ['retention below 24 h', { streamRetention: Duration.hours(23) }, /^streamRetention must be a whole number of hours from 24 to 8760, got 23$/],
    ['zero shards', { streamShardCount: 0 }, /^streamShardCount must be a whole number of at least 1, got 0$/],
    ['timeout beyond Firehose 5 minutes', { transformTimeout: Duration.seconds(301) }, /^transformTimeout must be a whole number of seconds from 1 to 300/],
    ['memory below 128 MB', { transformMemorySize: Size.mebibytes(64) }, /^transformMemorySize must be a whole number of MiB from 128 to 10240/],
    ['unsupported log retention', { logRetention: 2 as logs.RetentionDays }, /^logRetention must be a RetentionDays \(one of 1, 3, 5, 7,/],
    ['pipeline name with spaces', { pipelineName: 'my pipeline' }, /^pipelineName must be 1-64 letters/],
    ['compression Amberflo cannot read', { compression: 'ZIP' as 'GZIP' }, /^compression must be "GZIP" or "UNCOMPRESSED" \(Amberflo reads JSON and gunzips ".gz" objects only\), got "ZIP"$/],
    ['file extension without a dot', { fileExtension: 'gz' }, /^fileExtension must start with "\."/],
    ['gzip without .gz', { fileExtension: '.json' }, /^fileExtension must end with "\.gz" when compression is GZIP/],
    ['error prefix inside the ingest folder', { errorOutputPrefix: 'ingest/errors/!{firehose:error-output-type}/' }, /^errorOutputPrefix must lie outside "ingest\/"/],
    ['error prefix expressions without the error type', { errorOutputPrefix: 'errors/!{timestamp:yyyy}/' }, /^errorOutputPrefix must include !\{firehose:error-output-type\}/],
    ['error type in the data prefix', { dataOutputPrefix: 'ingest/!{firehose:error-output-type}/' }, /^dataOutputPrefix may not use the expression !\{firehose:error-output-type\}/],
    ['data prefix without a fixed folder', { dataOutputPrefix: '!{timestamp:yyyy-MM-dd}/' }, /^dataOutputPrefix must start with a fixed folder/],
    ['data prefix with a leading slash', { dataOutputPrefix: '/ingest/' }, /^dataOutputPrefix must not start with "\/"/],
    ['transform setting the function would reject', { transform: { unknownFields: 'keep' as 'drop' } }, /^transform: UNKNOWN_FIELDS must be "reject" or "drop", got "keep"$/],
    ['transform prefix with spaces', { transform: { prefix: 'meter record' } }, /^transform: METER_RECORD_PREFIX must be one token/],
    ['duplicate sources', { sourceLogGroupNames: ['/a', '/a'] }, /^sourceLogGroupNames lists "\/a" twice$/],
    ['too many account policy exclusions', { accountPolicyExcludedLogGroupNames: Array.from({ length: 49 }, (_, i) => `/g${i}`) }, /^accountPolicyExcludedLogGroupNames may list at most 47/],
    ['duration alarm above 100 %', { durationAlarmPercentOfTimeout: 101 }, /^durationAlarmPercentOfTimeout must be a whole number from 1 to 100/],
    ['Lambda runtime this project does not test', { lambdaRuntime: 'nodejs20.x' as 'nodejs22.x' }, /^lambdaRuntime must be "nodejs24.x" or "nodejs22.x" \(the Node.js lines AWS supports that this project tests\), got "nodejs20.x"$/],
    ['unknown source', { source: 'kafka' as 'direct' }, /^source must be one of "kinesis-on-demand", "kinesis-provisioned", "direct", got "kafka"$/],
    ['provisioned without shards', { source: 'kinesis-provisioned' }, /^streamShardCount is required with source "kinesis-provisioned"$/],
    ['on-demand with shards', { source: 'kinesis-on-demand', streamShardCount: 2 }, /^streamShardCount applies to source "kinesis-provisioned" only/],
    ['direct with shards', { source: 'direct', streamShardCount: 2 }, /^streamShardCount applies to Kinesis sources; source "direct" has no stream$/],
    ['direct with a stream retention', { source: 'direct', streamRetention: Duration.hours(48) }, /^streamRetention applies to Kinesis sources/],
    ['a number where a Duration goes (JavaScript)', { transformTimeout: 60 as unknown as Duration }, /^transformTimeout must be a Duration \(e\.g\. Duration\.seconds\(1\)\), got 60$/],
    ['a prop by its name before issue 31', { transformTimeoutSeconds: 60 } as Partial<MeterIngestionPipelineProps>, /^unknown prop "transformTimeoutSeconds": it is now transformTimeout \(see CHANGELOG\.md\), a Duration$/],
    ['a misspelt prop', { sourceLogGroupName: ['/a'] } as Partial<MeterIngestionPipelineProps>, /^unknown prop "sourceLogGroupName"$/],
    ['direct with an iterator-age alarm', { source: 'direct', iteratorAgeAlarmThreshold: Duration.minutes(1) }, /^iteratorAgeAlarmThreshold applies to Kinesis sources/],
  ];
  it.each(cases)('%s', (_name, props, message) => {
    expect(() => buildPipeline(props)).toThrow(PipelineConfigError);
    expect(() => buildPipeline(props)).toThrow(message);
  });

  it('accepts the limits themselves', () => {
    for (const props of [
      { processorBufferSize: Size.kibibytes(204.8), processorBufferInterval: Duration.seconds(0), destinationBufferInterval: Duration.seconds(0), destinationBufferSize: Size.kibibytes(1024) },
      { processorBufferSize: Size.mebibytes(3), processorBufferInterval: Duration.minutes(15), destinationBufferInterval: Duration.minutes(15), destinationBufferSize: Size.gibibytes(0.125) },
    ]) {
      expect(() => buildPipeline(props)).not.toThrow();
    }
  });
});

describe('the pipeline never feeds itself', () => {
  it.each(['/meter-firehose/p/transform', '/meter-firehose/p/delivery-errors'])(
    'rejects its own log group %s as a source',
    (name) => {
      expect(() => buildPipeline({ sourceLogGroupNames: ['/aws/lambda/app', name] })).toThrow(
        `sourceLogGroupNames must not include the pipeline's own log group "${name}": the pipeline would feed itself`,
      );
    },
  );

  it('excludes from the account policy the log groups the functions and Firehose log to', () => {
    const pipeline = buildPipeline({ accountSubscriptionPolicy: true });
    const policy = pipeline.node.findChild('AccountSubscriptionPolicy') as logs.CfnAccountPolicy;
    const names = [pipeline.transformLogGroup, pipeline.deliveryLogGroup, pipeline.reconcile!.logGroup].map(
      (group) => (group.node.defaultChild as logs.CfnLogGroup).logGroupName,
    );
    expect(names).toEqual(['/meter-firehose/p/transform', '/meter-firehose/p/delivery-errors', '/meter-firehose/p/reconcile']);
    expect(policy.selectionCriteria).toBe(`LogGroupName NOT IN [${names.map((name) => JSON.stringify(name)).join(', ')}]`);
  });
});

describe('a pipeline nothing feeds', () => {
  const warningsOf = (props: Partial<MeterIngestionPipelineProps>): string[] =>
    Annotations.fromStack(Stack.of(buildPipeline(props)))
      .findWarning('*', Match.stringLikeRegexp('no log group is subscribed'))
      .map((warning) => String(warning.entry.data));

  it('synthesizes with a warning naming the settings, and the stream billed meanwhile', () => {
    const [warning, ...more] = warningsOf({ sourceLogGroupNames: [] });
    expect(more).toEqual([]);
    expect(warning).toMatch(/sourceLogGroupNames is empty, no accountSubscriptionPolicy, no sender accounts/);
    expect(warning).toMatch(/its kinesis-on-demand Kinesis stream is billed by the hour/);
    expect(warningsOf({ sourceLogGroupNames: [], source: 'direct' })[0]).not.toMatch(/billed/);
  });

  it('gives no warning once a log group, the account policy or a sender account feeds it', () => {
    expect(warningsOf({ sourceLogGroupNames: ['/aws/lambda/api'] })).toEqual([]);
    expect(warningsOf({ sourceLogGroupNames: [], accountSubscriptionPolicy: true })).toEqual([]);
    expect(warningsOf({ sourceLogGroupNames: [], senderAccountIds: ['111122223333'] })).toEqual([]);
  });
});
