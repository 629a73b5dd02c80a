/**
 * The relay forwarder Lambda's bundle, one definition for `npm run build` and for `cdk synth`. One file, no
 * splitting: the S3 and Secrets Manager clients are used on every invocation.
 */
import type { BuildOptions } from 'esbuild';
import { DEFAULT_LAMBDA_RUNTIME, type LambdaRuntime } from '../infra/lambda-runtime.ts';
import { buildSyncInto, distDirOf, lambdaBuildOptions } from './transform-bundle.ts';

export function relayBuildOptions(projectRoot: string, outdir: string, runtime = DEFAULT_LAMBDA_RUNTIME): BuildOptions {
  return lambdaBuildOptions(projectRoot, outdir, 'relay/handler.ts', runtime);
}

/**
 * Bundles the forwarder, laid out as in dist/relay, into `outdir/index.mjs` for `runtime`; synchronous, as CDK's
 * local bundling requires.
 */
export function bundleRelay(projectRoot: string, outdir: string, runtime: LambdaRuntime = DEFAULT_LAMBDA_RUNTIME): void {
  buildSyncInto(relayBuildOptions(projectRoot, distDirOf(projectRoot, 'relay'), runtime), outdir);
}
