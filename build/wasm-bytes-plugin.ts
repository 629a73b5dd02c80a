/**
 * Vite plugin for vitest: `import bytes from './x.wasm'` gives the module's bytes as a Uint8Array, as esbuild's
 * binary loader does in the bundles. The transform's scanner is compiled first when it is missing or stale, so
 * tests run on a fresh clone and in Stryker's sandbox without a prior build. Runs before Vite's own handling,
 * which would turn the import into an asset URL.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Plugin } from 'vitest/config';
import { compileScanner, SCANNER_WASM, scannerSources } from './scanner-wasm.ts';

export function wasmBytesPlugin(projectRoot: string): Plugin {
  const scannerWasm = path.join(projectRoot, SCANNER_WASM);
  return {
    name: 'meter-firehose:wasm-bytes',
    enforce: 'pre',
    // Resolved here because Vite's resolver fails on a file that does not exist yet: the scanner before compiling.
    resolveId(source, importer) {
      if (!source.endsWith('.wasm') || importer === undefined || !/^\.{0,2}\//.test(source)) return null;
      return path.resolve(path.dirname(importer), source);
    },
    load(id) {
      if (!id.endsWith('.wasm')) return null;
      if (id === scannerWasm) {
        compileScanner(projectRoot);
        // In watch mode, an edit to the AssemblyScript sources reloads this module, which recompiles the scanner.
        for (const source of scannerSources(projectRoot)) this.addWatchFile(source);
      }
      const base64 = readFileSync(id).toString('base64');
      return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (char) => char.charCodeAt(0));`;
    },
  };
}
