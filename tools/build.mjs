// Bundles the transform Lambda (hot path + lazily loaded AWS SDK chunk), the CLI and the benchmark.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';

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
});

// Command-line entry points run on the developer's machine (Node.js 20 or later).
const benchEntries = existsSync('bench')
  ? readdirSync('bench').filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts')).map((name) => `bench/${name}`)
  : [];
for (const entry of ['tools/cli.ts', ...benchEntries].filter((path) => existsSync(path))) {
  const outfile = `dist/${entry.replace(/\.ts$/, '.mjs')}`;
  await build({ ...common, entryPoints: [entry], outfile, target: 'node20' });
}
