/**
 * `npm run build`: the transform, relay forwarder and reconciling Lambdas (as deployed), the construct package around them, the
 * CLI and the benchmarks, bundled with esbuild.
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleTransform, ESM_REQUIRE_BANNER } from './transform-bundle.ts';
import { buildConstructPackage } from './construct-package.ts';
import { bundleReconcile } from './reconcile-bundle.ts';
import { bundleRelay } from './relay-bundle.ts';
import { WASM_LOADER } from './scanner-wasm.ts';

const projectRoot = path.resolve(import.meta.dirname, '..');
const dist = path.join(projectRoot, 'dist');
rmSync(dist, { recursive: true, force: true });

bundleTransform(projectRoot, path.join(dist, 'transform'));
bundleRelay(projectRoot, path.join(dist, 'relay'));
bundleReconcile(projectRoot, path.join(dist, 'reconcile'));
await buildConstructPackage(projectRoot);

// Command-line entry points run on the developer's machine (Node.js 22 or 24, package.json `engines`).
const benchDir = path.join(projectRoot, 'bench');
const benchEntries = existsSync(benchDir)
  ? readdirSync(benchDir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `bench/${name}`)
  : [];
for (const entry of ['tools/cli.ts', ...benchEntries]) {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile: path.join(dist, entry.replace(/\.ts$/, '.mjs')),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    sourcemap: true,
    banner: { js: ESM_REQUIRE_BANNER },
    loader: WASM_LOADER,
    logLevel: 'warning',
  });
}

// The mark build/ensure-built.ts compares source times with: written last, so an interrupted build is stale.
writeFileSync(path.join(dist, '.built'), '');
