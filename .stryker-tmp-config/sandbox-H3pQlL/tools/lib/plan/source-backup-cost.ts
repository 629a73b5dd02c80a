/**
 * What the source-record backup costs: Firehose writes every gzipped source record to the pipeline bucket
 * (no Firehose charge of its own), so it is S3 PUTs for the backup objects and storage of the gzipped input,
 * held until the lifecycle expiry (steady state: retention days of input).
 */
// @ts-nocheck

import { HOURS_PER_MONTH, type Prices, type Workload } from './cost-plan.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * 1024 * 1024;

export interface BackupSettings {
  readonly retentionDays: number;
  readonly bufferMB: number;
  readonly bufferSeconds: number;
}

export interface BackupCost {
  readonly inputBytesPerSecond: number;
  readonly objectsPerMonth: number;
  /** Bytes held once the lifecycle expiry deletes as much each day as arrives. */
  readonly storedBytes: number;
  readonly monthly: { readonly storage: number; readonly puts: number; readonly total: number };
}

export function planSourceBackup(workload: Workload, settings: BackupSettings, prices: Pick<Prices, 's3PutPer1000' | 's3StorageGBMonth'>): BackupCost {
  const inputBytesPerSecond = (workload.eventsPerSecond * workload.recordBytes) / workload.outputToInputRatio;
  const objectSeconds = Math.max(1, Math.min(settings.bufferSeconds, (settings.bufferMB * MIB) / inputBytesPerSecond));
  const objectsPerMonth = (HOURS_PER_MONTH * 3600) / objectSeconds;
  const storedBytes = inputBytesPerSecond * settings.retentionDays * 86_400;
  const storage = (storedBytes / GIB) * prices.s3StorageGBMonth;
  const puts = (objectsPerMonth / 1000) * prices.s3PutPer1000;
  return { inputBytesPerSecond, objectsPerMonth, storedBytes, monthly: { storage, puts, total: storage + puts } };
}
