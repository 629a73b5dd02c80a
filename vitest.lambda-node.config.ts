/**
 * The suites of the code that runs in the Lambda functions, run again on each Node.js line they may be deployed
 * on (`npm run test:lambda-node`, part of `npm test`; build/lambda-node.ts finds the binaries): the transform's
 * rules, property, differential and bundle tests, the relay forwarder's, the reconciling function's, and the WebAssembly scanner's build. The
 * CLI, the CDK app and the benchmark's own tests run on the user's Node.js only (`vitest.config.ts`).
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  // Replaces the base's lists (mergeConfig would append to them).
  test: {
    ...base.test,
    include: ['test/transform/**/*.test.ts', 'test/relay/**/*.test.ts', 'test/reconcile-function/**/*.test.ts', 'test/build/**/*.test.ts', 'test/lambda-node/*.lambda-node.test.ts'],
    exclude: configDefaults.exclude,
  },
});
