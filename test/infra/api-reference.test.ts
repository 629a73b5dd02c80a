/** The construct package's API reference is generated from its types, current, and documents every prop. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_REFERENCE_FILE, documentExports, renderApiReference, type DocumentedExport } from '../../tools/lib/docs/api-reference.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the API reference', () => {
  let exported: DocumentedExport[];
  const byName = (name: string) => exported.find((entry) => entry.name === name)!;

  it('covers what infra/index.ts exports', () => {
    exported = documentExports(ROOT);
    expect(exported.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['MeterIngestionPipeline', 'MeterIngestionPipelineProps', 'PipelineConfigError', 'TransformSettings', 'DeliveryMode']),
    );
    expect(byName('MeterIngestionPipeline').signature).toBe('new MeterIngestionPipeline(scope: Construct, id: string, props: MeterIngestionPipelineProps)');
    // A union of literals is shown by its members, not by the expression that defines it.
    const source = byName('PipelineSourceKind').signature!;
    expect(source.replace('type PipelineSourceKind = ', '').split(' | ').sort()).toEqual(["'direct'", "'kinesis-on-demand'", "'kinesis-provisioned'"]);
  });

  it('documents every prop and public property, and gives every optional prop its default', () => {
    const undocumented = exported.flatMap((entry) => entry.members.filter((m) => m.description === '').map((m) => `${entry.name}.${m.name}`));
    expect(undocumented).toEqual([]);
    const withoutDefault = exported
      .filter((entry) => entry.kind === 'interface')
      .flatMap((entry) => entry.members.filter((m) => m.optional && m.defaultValue === undefined).map((m) => `${entry.name}.${m.name}`));
    expect(withoutDefault).toEqual([]);
    // TransformSettings makes every transform setting optional: each is documented, with its default.
    const transform = byName('TransformSettings').members;
    expect(transform.map((m) => m.name)).toContain('unknownFields');
    expect(transform.filter((m) => !m.optional || m.defaultValue === undefined || m.description === '').map((m) => m.name)).toEqual([]);
  });

  it(`is what ${API_REFERENCE_FILE} holds (update it with npm run docs)`, () => {
    expect(readFileSync(path.join(ROOT, API_REFERENCE_FILE), 'utf8')).toBe(renderApiReference(exported));
  });

  it('escapes table cells: a union type does not split its row', () => {
    const row = renderApiReference([
      { name: 'P', kind: 'interface', description: '', signature: undefined, members: [{ name: 'm', type: "'a' | 'b'", optional: true, description: 'x | y', defaultValue: "'a'" }] },
    ]).split('\n').find((line) => line.startsWith('| `m`'));
    expect(row).toBe("| `m` | `'a' \\| 'b'` | 'a' | x \\| y |");
  });
});
