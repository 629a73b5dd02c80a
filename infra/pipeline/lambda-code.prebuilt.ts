import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { PipelineFunctionName } from './lambda-code.ts';

/**
 * A function's code in the published package: the bundle `npm run build` made and the tests ran, shipped beside
 * the construct (`dist/<name>/`, next to `dist/construct/`), used as the asset as it is. Stands in for
 * `lambda-code.ts` in the package build (build/construct-package.ts). It serves every runtime of LAMBDA_RUNTIMES:
 * esbuild writes the same bytes for each one's target (test/build/runtime-targets.test.ts).
 */
export function pipelineFunctionCode(name: PipelineFunctionName): lambda.Code {
  const bundle = path.join(import.meta.dirname, '..', name);
  if (!existsSync(path.join(bundle, 'index.mjs'))) {
    throw new Error(`The ${name} function's bundle is missing from the package (expected ${bundle}/index.mjs): reinstall it.`);
  }
  return lambda.Code.fromAsset(bundle);
}
