/**
 * The reconciling function's bundle, one definition for `npm run build` and for `cdk synth`: the reconcile library,
 * the transform's code (run in-process) and the S3, Secrets Manager and Lambda clients, in one file.
 */
import type { BuildOptions } from 'esbuild';
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from '../infra/lambda-runtime.ts';
import { compileScanner } from './scanner-wasm.ts';
import { buildSyncInto, distDirOf, lambdaBuildOptions } from './transform-bundle.ts';

export function reconcileBuildOptions(projectRoot: string, outdir: string, runtime = DEFAULT_LAMBDA_RUNTIME): BuildOptions {
  return lambdaBuildOptions(projectRoot, outdir, 'reconcile-function/index.ts', runtime);
}

/** Bundles the reconciling function, laid out as in dist/reconcile, into `outdir/index.mjs` for `runtime`; synchronous, as CDK's local bundling requires. */
export function bundleReconcile(projectRoot: string, outdir: string, runtime: LambdaRuntime = DEFAULT_LAMBDA_RUNTIME): void {
  compileScanner(projectRoot);
  buildSyncInto(reconcileBuildOptions(projectRoot, distDirOf(projectRoot, 'reconcile'), runtime), outdir);
}
