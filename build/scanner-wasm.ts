/**
 * The transform's WebAssembly scanner: the AssemblyScript in transform/fast/assembly/, compiled by asc to
 * transform/fast/assembly/scanner.wasm (git-ignored), which the bundles embed as bytes (esbuild's binary loader,
 * the Vite plugin in build/wasm-bytes-plugin.ts for the tests). Synchronous, as CDK's local bundling requires.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const SCANNER_SOURCE_DIR = 'transform/fast/assembly';
export const SCANNER_ENTRY = `${SCANNER_SOURCE_DIR}/index.ts`;
export const SCANNER_WASM = `${SCANNER_SOURCE_DIR}/scanner.wasm`;
/** Sources outside SCANNER_SOURCE_DIR that the scanner imports, shared with the TypeScript around it. */
const SCANNER_SHARED_SOURCES: readonly string[] = ['transform/fast/char-codes.ts'];

/**
 * Optimised for speed (-O3, --converge), with 128-bit SIMD, and self-contained: the stub runtime (a bump
 * allocator that never frees, no GC) and `abort` aliased to nothing, so a failed bounds check traps instead of
 * calling an import. The module then has no imports and instantiates without an import object. `--noAssert`
 * turns `assert()` into a no-op: an invariant the scanner depends on must be an explicit check, not an assert.
 */
export const ASC_FLAGS: readonly string[] = [
  '-O3',
  '--converge',
  '--noAssert',
  '--enable',
  'simd',
  '--runtime',
  'stub',
  '--use',
  'abort=',
];

/** Loads `import bytes from './x.wasm'` as a Uint8Array embedded in the bundle; for every esbuild build. */
export const WASM_LOADER = { '.wasm': 'binary' } as const;

/**
 * Compiles the scanner unless scanner.wasm was compiled from exactly the current inputs: every file in
 * transform/fast/assembly/, the asc flags and the AssemblyScript version. The inputs' digest is kept beside the
 * wasm, so a stale wasm is never used whatever the files' timestamps (checkouts, copies into Stryker's sandbox).
 * Returns the wasm's absolute path.
 */
export function compileScanner(projectRoot: string): string {
  const wasm = path.join(projectRoot, SCANNER_WASM);
  const digestFile = `${wasm}.inputs`;
  const digest = inputsDigest(projectRoot);
  if (existsSync(wasm) && existsSync(digestFile) && readFileSync(digestFile, 'utf8') === digest) return wasm;

  // Written beside the target and renamed, so concurrent compilations (test workers, Stryker runners) never
  // read a partly written module, and the digest is written only once its wasm is in place.
  rmSync(digestFile, { force: true });
  const partial = `${wasm}.${process.pid}.partial`;
  try {
    const args = [ascPath(projectRoot), SCANNER_ENTRY, '--outFile', partial, ...ASC_FLAGS];
    const asc = spawnSync(process.execPath, args, {
      cwd: projectRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (asc.error !== undefined) throw asc.error;
    if (asc.status !== 0) throw new Error(`asc could not compile ${SCANNER_ENTRY} (exit ${asc.status}):\n${asc.stderr}`);
    process.stderr.write(asc.stderr); // warnings
    renameSync(partial, wasm);
  } finally {
    rmSync(partial, { force: true });
  }
  writeFileSync(digestFile, digest);
  return wasm;
}

function inputsDigest(projectRoot: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ asc: ascVersion(projectRoot), flags: ASC_FLAGS }));
  for (const source of scannerSources(projectRoot)) {
    hash.update(`\0${path.relative(projectRoot, source)}\0`);
    hash.update(readFileSync(source));
  }
  return hash.digest('hex');
}

/** Absolute paths of every file in transform/fast/assembly/ but the compiler's outputs, and of the shared sources, sorted. */
export function scannerSources(projectRoot: string): string[] {
  const outputPrefix = path.basename(SCANNER_WASM);
  const own = readdirSync(path.join(projectRoot, SCANNER_SOURCE_DIR), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith(outputPrefix))
    .map((entry) => path.join(entry.parentPath, entry.name));
  return [...own, ...SCANNER_SHARED_SOURCES.map((source) => path.join(projectRoot, source))].sort();
}

function assemblyScriptPackage(projectRoot: string): string {
  return createRequire(path.join(projectRoot, 'package.json')).resolve('assemblyscript/package.json');
}

function ascPath(projectRoot: string): string {
  return path.join(path.dirname(assemblyScriptPackage(projectRoot)), 'bin', 'asc.js');
}

function ascVersion(projectRoot: string): string {
  return (JSON.parse(readFileSync(assemblyScriptPackage(projectRoot), 'utf8')) as { version: string }).version;
}
