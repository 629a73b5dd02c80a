/**
 * The pipeline's defaults, in one place for the CDK construct and for the CLI's local model and planner, so
 * `npm start` and `plan` run the configuration `cdk deploy` deploys. No CDK imports: the CLI bundles this.
 */
import { DEFAULT_CONFIG } from '../transform/config.ts';

export const PIPELINE_DEFAULTS = {
  processorBufferSizeMBs: 0.25,
  processorBufferIntervalSeconds: 60,
  processorRetries: 3,
  destinationBufferSizeMBs: 5,
  destinationBufferIntervalSeconds: 300,
  dataOutputPrefix: 'ingest/records/!{timestamp:yyyy-MM-dd}/',
  errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
  /** Firehose's backup of every source record (S3BackupMode Enabled) in the pipeline bucket. */
  sourceBackupPrefix: 'source-backup/!{timestamp:yyyy-MM-dd}/',
  /**
   * Objects in the pipeline bucket expire after this many days: Amberflo accepts events up to 60 days old,
   * so a backup older than that cannot be replayed; 30 more days to notice and act.
   */
  pipelineBucketExpirationDays: 90,
  sourceBackupErrorPrefix: 'source-backup-errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
  compression: 'GZIP',
  transformMemorySizeMB: 1024,
  transformTimeoutSeconds: 120,
} as const;

/** The subscription filter pattern of the pipeline and of its senders: the quoted default meter record prefix. */
export const DEFAULT_SUBSCRIPTION_FILTER_PATTERN = JSON.stringify(DEFAULT_CONFIG.prefix);
