/**
 * The WebAssembly scanner's build: compiled by asc from the current AssemblyScript sources (never a stale module),
 * self-contained (no imports), and embedded in the Lambda bundles as bytes rather than shipped as a file.
 */
import { buildSync } from 'esbuild';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileScanner, SCANNER_ENTRY, SCANNER_WASM } from '../../build/scanner-wasm.ts';
import { bundleTransform, transformBuildOptions } from '../../build/transform-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A project with the repository's transform and shared sources (without a compiled scanner) and its node_modules. */
function freshProject(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'meter-firehose-scanner-'));
  cpSync(path.join(ROOT, 'transform'), path.join(root, 'transform'), {
    recursive: true,
    filter: (source) => !path.basename(source).startsWith(path.basename(SCANNER_WASM)),
  });
  cpSync(path.join(ROOT, 'shared'), path.join(root, 'shared'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

function instantiate(wasmFile: string): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)));
}

describe('compileScanner', () => {
  let project: string;
  let entry: string;
  const versionSource = (version: number): string => `export function scannerVersion(): i32 { return ${version}; }\n`;

  beforeAll(() => {
    project = freshProject();
    entry = path.join(project, SCANNER_ENTRY);
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("compiles the transform's scanner to a module with no imports that exports its memory and functions", () => {
    const module = new WebAssembly.Module(readFileSync(compileScanner(project)));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    const exports = WebAssembly.Module.exports(module);
    expect(exports).toContainEqual({ name: 'memory', kind: 'memory' });
    expect(exports.filter((entry) => entry.kind === 'function').length).toBeGreaterThan(0);
  });

  it('recompiles when a source changes, even when the source looks older than the module', () => {
    writeFileSync(entry, versionSource(7));
    const wasm = compileScanner(project);
    expect((instantiate(wasm).exports.scannerVersion as () => number)()).toBe(7);

    writeFileSync(entry, versionSource(8));
    const longAgo = new Date('2001-01-01T00:00:00Z');
    utimesSync(entry, longAgo, longAgo);
    expect((instantiate(compileScanner(project)).exports.scannerVersion as () => number)()).toBe(8);
  });

  it('recompiles when a source it shares with the TypeScript around it changes (transform/fast/char-codes.ts)', () => {
    writeFileSync(entry, "import { TAB } from '../char-codes';\nexport function scannerVersion(): i32 { return TAB; }\n");
    expect((instantiate(compileScanner(project)).exports.scannerVersion as () => number)()).toBe(0x09);
    const charCodes = path.join(project, 'transform/fast/char-codes.ts');
    writeFileSync(charCodes, readFileSync(charCodes, 'utf8').replace('TAB = 0x09', 'TAB = 0x0b'));
    expect((instantiate(compileScanner(project)).exports.scannerVersion as () => number)()).toBe(0x0b);
  });

  it('compiles SIMD code without imports: failed bounds checks trap instead of calling the host', () => {
    writeFileSync(
      entry,
      `export function countNewlines(length: i32): i32 {
        const bytes = new Uint8Array(length);
        for (let i = 0; i < length; i += 3) bytes[i] = 10;
        let count = 0;
        for (let i = 0; i + 16 <= length; i += 16) {
          const block = v128.load(bytes.dataStart + <usize>i);
          count += popcnt(i8x16.bitmask(i8x16.eq(block, i8x16.splat(10))));
        }
        return count;
      }
      export function byteAfter(length: i32): u8 {
        return new Uint8Array(length)[length];
      }\n`,
    );
    const module = new WebAssembly.Module(readFileSync(compileScanner(project)));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    const exports = new WebAssembly.Instance(module).exports as Record<string, (length: number) => number>;
    const { countNewlines, byteAfter } = exports;
    expect(countNewlines!(48)).toBe(16);
    expect(() => byteAfter!(4)).toThrow(WebAssembly.RuntimeError);
  });

  it("throws the compiler's message, and never serves the previous module after a failed compile", () => {
    writeFileSync(entry, versionSource(9));
    compileScanner(project);
    writeFileSync(entry, 'export function scannerVersion(): i32 { return undefinedName; }\n');
    expect(() => compileScanner(project)).toThrow(/asc could not compile[\s\S]*undefinedName/);
    expect(() => compileScanner(project)).toThrow(/asc could not compile/);
  });
});

describe('the Lambda bundles', () => {
  let outdir: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'meter-firehose-wasm-bundle-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('embed an imported .wasm module as its bytes, with no file to load at run time', async () => {
    const wasm = readFileSync(compileScanner(ROOT));
    const bundle = path.join(outdir, 'embedded');
    const entry = path.join(ROOT, 'test/build/fixtures/embedded-scanner.ts');
    buildSync({ ...transformBuildOptions(ROOT, bundle), entryPoints: { index: entry } });

    expect(readdirSync(bundle, { recursive: true }).filter((name) => String(name).endsWith('.wasm'))).toEqual([]);
    const code = readFileSync(path.join(bundle, 'index.mjs'), 'utf8');
    expect(code).not.toContain('.wasm');
    expect(code).toContain(wasm.toString('base64'));
    const { default: bytes } = (await import(path.join(bundle, 'index.mjs'))) as { default: Uint8Array };
    expect(Buffer.from(bytes).equals(wasm)).toBe(true);
  });

  it('are built on a fresh clone: bundleTransform compiles the scanner first and embeds it in index.mjs', () => {
    const project = freshProject();
    try {
      const out = path.join(project, 'out');
      mkdirSync(out);
      bundleTransform(project, out);
      const wasm = readFileSync(path.join(project, SCANNER_WASM));
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(wasm));
      expect(exports).toContainEqual({ name: 'memory', kind: 'memory' });
      const code = readFileSync(path.join(out, 'index.mjs'), 'utf8');
      expect(code).toContain(wasm.toString('base64'));
      expect(code).not.toContain('.wasm');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
