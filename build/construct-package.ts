/**
 * The construct package (`package.json` `exports`): the `MeterIngestionPipeline` construct as one ESM file with
 * its type declarations, using the prebuilt function bundles `npm run build` puts beside it (dist/transform,
 * dist/relay). A consumer installs it with `aws-cdk-lib` and `constructs` alone: their synth runs no esbuild,
 * AssemblyScript or TypeScript of this repository.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';

export const PACKAGE_ENTRY = 'infra/index.ts';
/** Where the package's files are, relative to the project root (package.json `exports` and `files` name them). */
export const PACKAGE_DIR = 'dist/construct';
export const PACKAGE_TYPES_DIR = `${PACKAGE_DIR}/types`;

/** The peer dependencies the construct imports; everything else is bundled into it. */
export const PEER_MODULES: readonly string[] = ['aws-cdk-lib', 'constructs'];

/** In the package, a function's code is its prebuilt bundle, not a synth-time build of the sources. */
const prebuiltFunctionCode: Plugin = {
  name: 'prebuilt-function-code',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/lambda-code\.ts$/ }, (args) => ({
      path: path.join(args.resolveDir, path.dirname(args.path), 'lambda-code.prebuilt.ts'),
    }));
  },
};

/** Builds `dist/construct/index.mjs` and `dist/construct/types/`. */
export async function buildConstructPackage(projectRoot: string): Promise<void> {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: { index: path.join(projectRoot, PACKAGE_ENTRY) },
    outdir: path.join(projectRoot, PACKAGE_DIR),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    // A consumer's synth runs on their Node.js: the oldest line the package supports (package.json `engines`).
    target: 'node22',
    format: 'esm',
    sourcemap: true,
    external: PEER_MODULES.flatMap((name) => [name, `${name}/*`]),
    plugins: [prebuiltFunctionCode],
    logLevel: 'warning',
  });
  emitDeclarations(projectRoot);
}

/**
 * Type declarations of the public entry and what it reaches (the build scripts aside), with `.ts` import specifiers rewritten to `.js` so
 * they resolve in a consumer's project whatever its compiler options.
 */
function emitDeclarations(projectRoot: string): void {
  const options = compilerOptionsOf(projectRoot);
  const outDir = path.join(projectRoot, PACKAGE_TYPES_DIR);
  const program = ts.createProgram([path.join(projectRoot, PACKAGE_ENTRY)], {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: projectRoot,
    outDir,
  });
  const buildScripts = path.join(outDir, 'build') + path.sep;
  const written: string[] = [];
  const result = program.emit(undefined, (fileName, text) => {
    // The synth-time bundlers (reached through lambda-code.ts) are the repository's, not the package's API.
    if (path.resolve(fileName).startsWith(buildScripts)) return;
    mkdirSync(path.dirname(fileName), { recursive: true });
    writeFileSync(fileName, text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2'));
    written.push(fileName);
  });
  const problems = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (problems.length > 0) {
    throw new Error(ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => projectRoot, getNewLine: () => '\n' }));
  }
  if (written.length === 0) throw new Error('no type declarations were emitted');
}

/** The project's compiler options (tsconfig.json), for programs made with the TypeScript API. */
export function compilerOptionsOf(projectRoot: string): ts.CompilerOptions {
  const { config, error } = ts.readConfigFile(path.join(projectRoot, 'tsconfig.json'), ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(config, ts.sys, projectRoot).options;
}
