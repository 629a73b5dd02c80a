/**
 * The Lambda runtimes the pipeline's functions may run on: the Node.js lines AWS supports that this project
 * tests (`npm test` runs the Lambda suites on each, build/lambda-node.ts). No CDK imports: the construct, the
 * bundles, the tests and the benchmark share these.
 */
export const LAMBDA_RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const;
/** A Lambda runtime the functions may run on (see `MeterIngestionPipelineProps.lambdaRuntime`). */
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];
export const DEFAULT_LAMBDA_RUNTIME: LambdaRuntime = 'nodejs24.x';

export function isLambdaRuntime(value: string): value is LambdaRuntime {
  return (LAMBDA_RUNTIMES as readonly string[]).includes(value);
}

/** The Node.js major version a runtime runs: 24 for `nodejs24.x`. */
export function nodeMajorOf(runtime: LambdaRuntime): number {
  return Number(runtime.slice('nodejs'.length, -'.x'.length));
}

/** esbuild's target for a runtime's bundles: `node24` for `nodejs24.x`. */
export function bundleTargetOf(runtime: LambdaRuntime): string {
  return `node${nodeMajorOf(runtime)}`;
}

/**
 * NODE_OPTIONS of both functions. Source maps name the source line in a stack trace; `--max-semi-space-size=16`
 * keeps V8's young generation at Node.js 22's size. Node.js 24 lets it grow to 64 MiB, which raised the
 * transform's peak RSS on the worst legal event from 200–205 to 215–293 MiB in the benchmark for no gain in time
 * (bench/README.md, "Node.js 22 and 24"); with the flag, 24 peaks as 22 does.
 */
export const FUNCTION_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=16';
