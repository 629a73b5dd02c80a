import { cpus, totalmem } from 'node:os';
import { MIB } from './units.ts';

/** The machine a run measured, quoted next to every figure. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
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
  };
}
