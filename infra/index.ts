/**
 * The construct package's public API: `import { MeterIngestionPipeline } from 'cdk-meter-firehose'`.
 * Everything a consumer's CDK app needs to configure the pipeline, and nothing of the repository's own app.
 */
export { MeterIngestionPipeline, type PipelineMetricName } from './meter-ingestion-pipeline.ts';
export type { DeliveryCompression, DeliveryMode, MeterIngestionPipelineProps, TransformSettings } from './pipeline/props.ts';
export { PipelineConfigError } from './pipeline/settings.ts';
export type { Relay } from './pipeline/relay.ts';
export type { Reconcile } from './pipeline/reconcile.ts';
export type { ReconcileMetricName } from '../reconcile-function/metric-names.ts';
export type { SenderDestination, SenderPrincipals } from './pipeline/sender-destination.ts';
export { MeterRecordSender, type MeterRecordSenderProps } from './sender/meter-record-sender.ts';
export { MeterRecordSenderStack, type MeterRecordSenderStackProps } from './sender/sender-stack.ts';
export { RegionalSenderDestination, type RegionalSenderDestinationProps } from './sender/regional-destination.ts';
export type { LambdaRuntime } from './lambda-runtime.ts';
export type { PipelineSourceKind } from './pipeline-source.ts';
export type { UnknownFieldPolicy } from '../transform/config.ts';
