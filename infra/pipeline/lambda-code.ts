import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundleReconcile } from '../../build/reconcile-bundle.ts';
import { bundleRelay } from '../../build/relay-bundle.ts';
import { bundleTransform } from '../../build/transform-bundle.ts';
import type { LambdaRuntime } from '../lambda-runtime.ts';

/** The pipeline's Lambda functions, each one bundle (`<name>/index.mjs`). */
export type PipelineFunctionName = 'transform' | 'relay' | 'reconcile';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLERS: Record<PipelineFunctionName, (projectRoot: string, outdir: string, runtime: LambdaRuntime) => void> = {
  transform: bundleTransform,
  relay: bundleRelay,
  reconcile: bundleReconcile,
};
/** Each function's source folder (the asset's path; the bundle is what is hashed). */
const SOURCE_DIRS: Record<PipelineFunctionName, string> = { transform: 'transform', relay: 'relay', reconcile: 'reconcile-function' };

/**
 * A function's code from this repository's sources: bundled at synth time, offline, for `runtime`'s Node.js, by
 * the esbuild definition `npm run build` uses, so the deployed files are the ones tested and benchmarked.
 * NodejsFunction is not used because it cannot split code: its single file would load the AWS SDK on every cold
 * start of the transform, where this bundle loads it only to re-ingest.
 *
 * The published package replaces this module with `lambda-code.prebuilt.ts` (build/construct-package.ts), whose
 * bundles ship prebuilt, so a consumer's synth runs neither esbuild nor AssemblyScript.
 */
export function pipelineFunctionCode(name: PipelineFunctionName, runtime: LambdaRuntime): lambda.Code {
  return lambda.Code.fromAsset(path.join(REPO_ROOT, SOURCE_DIRS[name]), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds, and this project needs no Docker.
      image: DockerImage.fromRegistry(`public.ecr.aws/sam/build-${runtime}`),
      local: {
        tryBundle(outputDir) {
          BUNDLERS[name](REPO_ROOT, outputDir, runtime);
          return true;
        },
      },
    },
  });
}
