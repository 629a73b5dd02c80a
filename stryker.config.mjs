// @ts-check
/**
 * Mutation testing of the rules that decide what gets billed (`npm run mutate`; see test/README.md).
 * Iterate on one file with `npm run mutate -- --mutate transform/validate.ts`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // The rules and response planning of the transform, the CDK context parsing, reconcile's accounting and verdict
  // (the proof of what is billed), and continuous reconcile's independent count and choice of windows. Not transform/fast/ (speed only, held to the rules by the differential
  // tests in test/transform/fast/), nor the AWS SDK targets, the Lambda shell, the invocation statistics or the
  // environment parsing, which decide nothing about what is billed; nor reconcile's local-transform.ts (the harness
  // running the bundle, tested end to end).
  mutate: [
    'transform/decode.ts',
    'transform/extract.ts',
    'transform/validate.ts',
    'transform/encode.ts',
    'transform/payload.ts',
    'transform/respond.ts',
    'transform/repack.ts',
    'transform/reingest.ts',
    'infra/config.ts',
    'tools/lib/reconcile/ledger.ts',
    'tools/lib/reconcile/verdict.ts',
    'tools/lib/reconcile/unexpected.ts',
    'tools/lib/reconcile/hash-index.ts',
    'tools/lib/reconcile/reconcile.ts',
    'tools/lib/reconcile/objects.ts',
    'reconcile-function/forwarded-check.ts',
    'reconcile-function/windows.ts',
  ],
  // Two cores shared with other work: one sandbox per core at most.
  concurrency: 2,
  timeoutMS: 5_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['/cdk.out', '/.local'],
  cleanTempDir: 'always',
};
