/** Units the benchmark reports in: sizes in binary units (as Lambda counts memory), rates in decimal MB/s. */
// @ts-nocheck


export const KIB = 1024;
export const MIB = 1024 * 1024;
/** Throughput is quoted in MB/s of decompressed input, MB = 10^6 bytes. */
export const MB = 1_000_000;
