/** AWS's CloudFormation linter, which the template tests run; a missing install fails them saying how to get it. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export const CFN_LINT_INSTALL = 'cfn-lint is not installed: `pipx install cfn-lint` or `pip install cfn-lint` (Python 3), `brew install cfn-lint` (macOS); .ci/run installs it';

/** Runs `cfn-lint ARGS`; throws when the command is not there. */
export function cfnLint(args: readonly string[]): SpawnSyncReturns<string> {
  const result = spawnSync('cfn-lint', args, { encoding: 'utf8', timeout: 240_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(CFN_LINT_INSTALL);
  return result;
}
