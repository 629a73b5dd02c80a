/**
 * The tests import the WebAssembly scanner as the transform does, through build/wasm-bytes-plugin.ts: its bytes,
 * compiled on demand from the current sources, instantiable without imports.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import scannerBytes from '../../transform/fast/assembly/scanner.wasm';
import { SCANNER_WASM } from '../../build/scanner-wasm.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('import of transform/fast/assembly/scanner.wasm in the tests', () => {
  it('gives the bytes of the compiled module', () => {
    expect(scannerBytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(scannerBytes).equals(readFileSync(path.join(ROOT, SCANNER_WASM)))).toBe(true);
  });

  it('instantiates without an import object, exporting its memory', () => {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(scannerBytes));
    expect(exports.memory).toBeInstanceOf(WebAssembly.Memory);
  });
});
