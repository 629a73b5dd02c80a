import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TransformConfig } from '../../transform/config.ts';
import { FUNCTION_NODE_OPTIONS, type LambdaRuntime } from '../lambda-runtime.ts';
import { acknowledgeRuntimeChoice, functionRuntime } from './function-runtime.ts';
import { pipelineFunctionCode } from './lambda-code.ts';
import { ownLogGroup, type OwnLogGroupProps } from './own-log-group.ts';
import type { RecordDestination } from './record-destination.ts';
import { transformEnvironment } from './settings.ts';

export interface TransformFunctionProps extends OwnLogGroupProps {
  readonly pipelineName: string;
  readonly memorySizeMB: number;
  readonly timeoutSeconds: number;
  readonly runtime: LambdaRuntime;
  readonly config: TransformConfig;
  /** Where the function re-ingests rejected records and oversized batches: the pipeline's source. */
  readonly source: RecordDestination;
}

/** The Firehose transformation Lambda, its log group and its role. */
export class TransformFunction {
  readonly logGroup: logs.LogGroup;
  readonly function: lambda.Function;

  /** Adds `TransformLogGroup`, `TransformRole` and `Transform` to `scope`. */
  constructor(scope: Construct, props: TransformFunctionProps) {
    this.logGroup = ownLogGroup(scope, 'TransformLogGroup', props);
    const role = new iam.Role(scope, 'TransformRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meter pipeline ${props.pipelineName}: transform function`,
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
        // Re-ingests rejected records and oversized batches into the source (PutRecords or PutRecordBatch).
        Reingest: new iam.PolicyDocument({ statements: props.source.producerStatements([props.source.putActions.batch]) }),
      },
    });
    this.function = new lambda.Function(scope, 'Transform', {
      code: pipelineFunctionCode('transform', props.runtime),
      handler: 'index.handler',
      runtime: functionRuntime(props.runtime),
      architecture: lambda.Architecture.ARM_64,
      // The largest processor buffer (3 MB gzipped) expands to ~36 MB of NDJSON, held as strings next to its
      // base64 response: 1024 MB covers that with room to spare, and Lambda allots CPU in proportion to memory,
      // which gunzip and JSON parsing use.
      memorySize: props.memorySizeMB,
      // Firehose waits at most 5 minutes per invocation; 2 minutes surfaces a stuck invocation (and lets Firehose
      // retry) well before that, and is far beyond the re-ingest backoff (seconds).
      timeout: Duration.seconds(props.timeoutSeconds),
      role,
      logGroup: this.logGroup,
      environment: { ...transformEnvironment(props.config), NODE_OPTIONS: FUNCTION_NODE_OPTIONS },
    });
    acknowledgeRuntimeChoice(this.function, props.runtime);
  }
}
