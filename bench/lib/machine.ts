import { cpus, loadavg, totalmem } from 'node:os';
import { MIB } from './units.ts';

/** The machine a run measured, quoted next to every figure. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
  /** Load average over the minute before the run: other work on the machine makes every figure noisier. */
  readonly loadAverage1m: number;
}

export function describeMachine(now: Date = new Date()): Machine {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryMiB: Math.round(totalmem() / MIB),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: now.toISOString(),
    loadAverage1m: currentLoadAverage(),
  };
}

/** The load average over the last minute, to two decimals. */
export function currentLoadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
