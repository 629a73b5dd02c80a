// Bundles the transform Lambda (hot path + lazily loaded AWS SDK chunk), the CLI and the benchmark.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  // ESM bundles of CommonJS dependencies (the AWS SDK) need a require() of their own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};

rmSync('dist', { recursive: true, force: true });

await build({
  ...common,
  entryPoints: { index: 'transform/handler.ts' },
  outdir: 'dist/transform',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  metafile: false,
});

const tools = [
  ['tools/cli.ts', 'dist/tools/cli.mjs'],
  ['bench/bench.ts', 'dist/bench/bench.mjs'],
].filter(([entry]) => existsSync(entry));
for (const [entry, outfile] of tools) {
  await build({ ...common, entryPoints: [entry], outfile, target: 'node20' });
}
