// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { meterRecordsIn, ndjsonLines } from '../../bench/lib/output.ts';

describe('output counting', () => {
  const base64 = (text: string): string => Buffer.from(text).toString('base64');

  it('counts NDJSON lines with or without a final newline', () => {
    expect(ndjsonLines(Buffer.from(''))).toBe(0);
    expect(ndjsonLines(Buffer.from('{}'))).toBe(1);
    expect(ndjsonLines(Buffer.from('{}\n{}\n'))).toBe(2);
    expect(ndjsonLines(Buffer.from('{}\n{}'))).toBe(2);
  });

  it('counts meter records in Ok records only', () => {
    const result = {
      records: [
        { recordId: '1', result: 'Ok' as const, data: base64('{}\n{}\n') },
        { recordId: '2', result: 'Dropped' as const },
        { recordId: '3', result: 'ProcessingFailed' as const, data: base64('{}\n') },
      ],
    };
    expect(meterRecordsIn(result)).toBe(2);
  });
});
