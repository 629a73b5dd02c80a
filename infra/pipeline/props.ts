import type { Duration, Size } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { TransformConfig } from '../../transform/config.ts';
import type { LambdaRuntime } from '../lambda-runtime.ts';
import type { PipelineSourceKind } from '../pipeline-source.ts';
import type { SettingChoice, SettingName, SettingPropType } from '../settings.ts';

/**
 * Transform settings the construct passes to the function's environment (`PIPELINE_NAME` is set from `pipelineName`,
 * `HOME_ACCOUNT_ID` from the stack's account when there are sender accounts).
 */
export type TransformSettings = Partial<Omit<TransformConfig, 'pipelineName' | 'homeAccountId'>>;

/**
 * How meter records reach Amberflo's bucket. `direct`: Firehose writes it, with a role Amberflo's bucket policy
 * grants. `relay`: Firehose writes the pipeline bucket; a forwarder copies each new ingest object to Amberflo's
 * bucket with the access key pair Amberflo issued (read from Secrets Manager).
 */
export type DeliveryMode = SettingChoice<'delivery'>;

/** Compression formats Amberflo can ingest: it gunzips objects whose key ends in `.gz` and reads the rest as JSON. */
export type DeliveryCompression = SettingChoice<'compression'>;

export interface MeterIngestionPipelineProps {
  /** Name of the S3 bucket Amberflo provisioned for this account (owned by Amberflo's account). */
  readonly amberfloBucketName: string;

  /** How records reach Amberflo's bucket (see DeliveryMode). @default 'direct' */
  readonly delivery?: DeliveryMode;

  /**
   * Relay mode: the Secrets Manager secret holding Amberflo's key pair as
   * `{"accessKeyId": "...", "secretAccessKey": "..."}` (e.g. `Secret.fromSecretCompleteArn(…)`). Only its ARN is
   * in the template; the forwarder reads the value at run time. Required with `delivery: 'relay'`.
   * @default - none; direct mode needs no key pair
   */
  readonly amberfloKeys?: secretsmanager.ISecret;

  /** Relay mode: Region of Amberflo's bucket. @default - the stack's Region */
  readonly amberfloBucketRegion?: string;

  /**
   * Firehose's backup of every untransformed source record into the pipeline bucket (under
   * `source-backup/`), so `replay --from-backup` can re-send them after an outage.
   * @default true
   */
  readonly sourceBackup?: boolean;

  /**
   * Continuous reconcile: a function that proves every window of arrival time, on a schedule, against the source
   * backup (delivered, quarantined, refused or missing; conflicting and unexpected records), writes a report per
   * window under `reconcile/` in the pipeline bucket, publishes `Reconcile*` metrics and raises two alarms. `true`
   * with `sourceBackup: false` is refused: without the backup there is nothing to prove against.
   * @default - true when `sourceBackup` is on (the backup is what it reconciles against); off without it
   */
  readonly continuousReconcile?: boolean;

  /**
   * Continuous reconcile: the length of a window of arrival time (5 minutes to a day, dividing a day), and how
   * often the schedule runs. Shorter windows for higher volumes: one invocation reconciles one window.
   * @default Duration.seconds(3600)
   */
  readonly reconcileWindow?: Duration;

  /** Continuous reconcile: records Amberflo refused (its `failed-requests/`) fire the findings alarm too. @default true */
  readonly reconcileAlarmOnRefused?: boolean;

  /**
   * Continuous reconcile: check each window's backup against CloudWatch Logs' own count (`AWS/Logs`
   * `ForwardedLogEvents`), so a lost backup is seen rather than trusted. Off, the function's role gets no
   * `cloudwatch:ListMetrics` / `cloudwatch:GetMetricData` (on `*`: neither takes a narrower resource) and the findings
   * alarm no `ReconcileUnbackedLogEvents`. @default true
   */
  readonly reconcileForwardedCount?: boolean;

  /**
   * An existing bucket of this account to use as the pipeline bucket (it must block public access, deny
   * non-TLS requests and expire objects). @default - a bucket is created (needed for relay mode or source backup)
   */
  readonly pipelineBucketName?: string;

  /**
   * How long objects in a created pipeline bucket live (whole days, at least 15: past the dead-letter queue's
   * 14-day retention). The default covers Amberflo's 60-day backfill window with 30 days to act.
   * @default Duration.days(90)
   */
  readonly pipelineBucketExpiration?: Duration;

  /**
   * A bucket that receives S3 server access logs of a created pipeline bucket.
   * @default - no server access logs: object-level auditing is left to CloudTrail data events
   */
  readonly pipelineBucketAccessLogsBucketName?: string;

  /**
   * Unique name of this pipeline: the `Pipeline` dimension of the transform's metrics, the dashboard name and
   * part of the pipeline's own log group names. Letters, digits, `-` and `_`, at most 64 characters.
   * @default - derived from the construct path
   */
  readonly pipelineName?: string;

  /** Log groups whose meter records are subscribed into the pipeline. @default - none */
  readonly sourceLogGroupNames?: string[];

  /**
   * CloudWatch Logs filter pattern of the subscription filters and of the account policy.
   * @default - the quoted meter record prefix, e.g. `"meter_record_for_stream"`
   */
  readonly subscriptionFilterPattern?: string;

  /**
   * Also subscribe every log group of the account and Region through an account-level subscription filter policy
   * (`AWS::Logs::AccountPolicy`; one per account and Region). The pipeline's own log groups are always excluded.
   * @default false
   */
  readonly accountSubscriptionPolicy?: boolean;

  /**
   * Further log groups the account policy leaves out (at most 48: the policy takes 50, two are the pipeline's).
   * @default - none
   */
  readonly accountPolicyExcludedLogGroupNames?: string[];

  /**
   * Other AWS accounts whose log groups send meter records into this pipeline (cross-account subscriptions): a
   * CloudWatch Logs destination (`AWS::Logs::Destination`) in the pipeline's Region admits exactly these accounts,
   * and each deploys a `MeterRecordSender` pointing at it. 12-digit account ids, at most 100, without the
   * pipeline's own. Records of a sender account derive uniqueIds as `<account>-<eventId>` (see README, "Several
   * accounts"). Senders' log groups must be in the pipeline's Region.
   * @default - no sender accounts: no destination
   */
  readonly senderAccountIds?: string[];

  /**
   * An AWS Organizations organization (`o-` and 10-32 letters or digits) whose accounts may all send meter records,
   * through the same destination (`aws:PrincipalOrgID`). Senders then need the role `MeterRecordSender` creates
   * with `organizationSender: true`.
   * @default - no organization
   */
  readonly senderOrganizationId?: string;

  /**
   * Organizational units whose accounts may send meter records, as AWS Organizations entity paths
   * (`o-…/r-…/ou-…/`, a trailing `*` for the units below; at most 10), matched with `aws:PrincipalOrgPaths`.
   * Requires `senderOrganizationId`; narrows it to these units.
   * @default - the whole organization, when `senderOrganizationId` is set
   */
  readonly senderOrganizationPaths?: string[];

  /**
   * What sits between CloudWatch Logs and Firehose. `kinesis-on-demand`: a Kinesis stream in on-demand mode.
   * `kinesis-provisioned`: a Kinesis stream of `streamShardCount` shards. `direct`: no stream; subscription filters
   * put into the Firehose stream (Direct PUT) and the transform re-ingests there with `PutRecordBatch` — the
   * cheapest, but without a replay window or other consumers (see infra/README.md, "Choosing a source").
   * @default - `kinesis-provisioned` when `streamShardCount` is set, `kinesis-on-demand` otherwise
   */
  readonly source?: PipelineSourceKind;

  /** Shards of the Kinesis stream; required by, and only for, `source: 'kinesis-provisioned'`. @default - none */
  readonly streamShardCount?: number;

  /** Retention of the Kinesis stream, i.e. the replay window (whole hours, 24–8760; Kinesis sources). @default Duration.hours(24) */
  readonly streamRetention?: Duration;

  /**
   * Data Firehose buffers this much (gzipped) input before invoking the transform (0.2–3 MiB). The transform's
   * output is about 12× its input and a Lambda response is capped at 6 MB, so the default is well below the
   * service default of 1 MB.
   * @default Size.mebibytes(0.25)
   */
  readonly processorBufferSize?: Size;

  /** Longest time Firehose buffers input before invoking the transform (whole seconds, 0–900). @default Duration.seconds(60) */
  readonly processorBufferInterval?: Duration;

  /** Retries of a failed transform invocation before its records go to the error prefix. @default 3 */
  readonly processorRetries?: number;

  /**
   * S3 key prefix of delivered meter records. Its static part (before the first `!{`) scopes the write permission.
   * @default 'ingest/records/!{timestamp:yyyy-MM-dd}/'
   */
  readonly dataOutputPrefix?: string;

  /**
   * S3 key prefix of records Firehose could not process or deliver. Must contain `!{firehose:error-output-type}`
   * and lie outside the data prefix's top-level folder, which Amberflo ingests.
   * @default 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/'
   */
  readonly errorOutputPrefix?: string;

  /** Longest time Firehose buffers transformed records before writing an S3 object (whole seconds, 0–900). @default Duration.seconds(300) */
  readonly destinationBufferInterval?: Duration;

  /** Size of transformed data at which Firehose writes an S3 object (whole MiB, 1–128). @default Size.mebibytes(5) */
  readonly destinationBufferSize?: Size;

  /** Compression of delivered objects. @default 'GZIP' */
  readonly compression?: DeliveryCompression;

  /**
   * Extension of delivered objects; must start with `.`, and end with `.gz` when compressing.
   * @default - '.gz' with GZIP compression, none otherwise
   */
  readonly fileExtension?: string;

  /** Retention of the pipeline's own log groups (transform, Firehose errors, forwarder). @default RetentionDays of 30 days */
  readonly logRetention?: logs.RetentionDays;

  /** Memory of the transform function (whole MiB, 128–10240). @default Size.mebibytes(1024) */
  readonly transformMemorySize?: Size;

  /** Timeout of the transform function (whole seconds, 1–300: Firehose waits at most 5 minutes). @default Duration.seconds(120) */
  readonly transformTimeout?: Duration;

  /**
   * Lambda runtime of the transform and of the relay forwarder: `nodejs24.x` or `nodejs22.x`, the Node.js lines
   * AWS supports that this project tests; their bundles are built for it. `nodejs22.x` is deprecated by AWS on
   * 2027-04-30.
   * @default 'nodejs24.x'
   */
  readonly lambdaRuntime?: LambdaRuntime;

  /**
   * Settings of the transform, validated at synth time as the function validates them at cold start.
   * @default - the transform's defaults (transform/config.ts)
   */
  readonly transform?: TransformSettings;

  /** Topic notified when an alarm fires or recovers. @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;

  /** `GetRecords.IteratorAgeMilliseconds` above which the stream is considered to fall behind (whole seconds; Kinesis sources). @default Duration.seconds(900) */
  readonly iteratorAgeAlarmThreshold?: Duration;

  /**
   * `DeliveryToS3.DataFreshness` above which delivery is considered late (whole seconds).
   * @default - processor buffer interval + destination buffer interval + 5 minutes
   */
  readonly dataFreshnessAlarmThreshold?: Duration;

  /** Sum of `RejectedMeterRecords` over 5 minutes above which the rejected-records alarm fires. @default 0 */
  readonly rejectedMeterRecordsAlarmThreshold?: number;

  /** Maximum transform duration, as a percentage of its timeout, above which the duration alarm fires (1–100). @default 80 */
  readonly durationAlarmPercentOfTimeout?: number;
}

/** The props every setting of the table (infra/settings.ts) calls for: MeterIngestionPipelineProps must declare these types. */
type TableProps = { readonly [K in SettingName]?: SettingPropType<K> };
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a prop and its entry in the settings table disagree, or either lacks the other. */
type PropsMatchTable = {
  [K in keyof Required<MeterIngestionPipelineProps>]: K extends 'alarmTopic'
    ? true
    : K extends SettingName
      ? Exactly<NonNullable<MeterIngestionPipelineProps[K]>, NonNullable<TableProps[K]>>
      : false;
};
const propsMatchTable: PropsMatchTable[keyof PropsMatchTable] extends true ? true : never = true;
const tableHasNoOtherProps: Exclude<SettingName, keyof MeterIngestionPipelineProps> extends never ? true : never = true;
void propsMatchTable;
void tableHasNoOtherProps;
