/**
 * A lock file for a CDK app outside this repository that depends on the packed construct and on some of this
 * repository's own dependencies: their entries (versions and integrity) copied from this repository's lock file,
 * so `npm ci --offline` installs them from the cache the repository's `npm ci` filled, with no network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bundleDependencies?: string[];
  inBundle?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface PackageLock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

export interface ConsumerLock {
  /** The consumer's package.json dependencies. */
  readonly dependencies: Record<string, string>;
  /** Its package-lock.json. */
  readonly lock: object;
}

/** Where Node.js resolves `name` from the package installed at `from` (a lock key such as `node_modules/a`). */
function resolveFrom(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (dir === '') return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent === -1 ? '' : dir.slice(0, parent);
  }
}

/**
 * A package of the consumer taken from another of this repository's entries: an npm alias such as
 * `aws-cdk-lib-floor` (`npm:aws-cdk-lib@2.269.0`), installed in the consumer under its real name.
 */
export interface AliasedPackage {
  readonly name: string;
  readonly from: string;
}

/**
 * The lock of a consumer named `name` that depends on `tarball` (a path relative to the consumer, e.g.
 * `./pkg.tgz`) and on `repositoryPackages` at the versions this repository's lock file pins (an alias: at its
 * version, under the name it stands for).
 */
export function consumerLock(
  name: string,
  repositoryLockFile: string,
  tarball: { file: string; path: string; version: string; packageName: string; bin?: Record<string, string> },
  repositoryPackages: readonly (string | AliasedPackage)[],
): ConsumerLock {
  const { packages: repositoryEntries } = JSON.parse(readFileSync(repositoryLockFile, 'utf8')) as PackageLock;
  const aliases = repositoryPackages.filter((entry): entry is AliasedPackage => typeof entry !== 'string');
  const packages = withAliasesInstalled(repositoryEntries, aliases);
  const copied: Record<string, LockEntry> = {};
  const visit = (key: string): void => {
    if (copied[key] !== undefined) return;
    const entry = packages[key];
    if (entry === undefined) throw new Error(`${key} is not in the repository's lock file`);
    copied[key] = consumerEntry(entry);
    const required = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dependency of Object.keys(required)) {
      const optional = entry.optionalDependencies?.[dependency] !== undefined || entry.peerDependenciesMeta?.[dependency]?.optional === true;
      const resolved = resolveFrom(packages, key, dependency);
      if (resolved === undefined) {
        if (optional) continue;
        throw new Error(`${dependency}, needed by ${key}, is not in the repository's lock file`);
      }
      visit(resolved);
    }
    for (const bundled of entry.bundleDependencies ?? []) {
      const resolved = resolveFrom(packages, key, bundled);
      if (resolved !== undefined) visit(resolved);
    }
  };
  const dependencies: Record<string, string> = { [tarball.packageName]: `file:${tarball.path}` };
  for (const entry of repositoryPackages) {
    const dependency = typeof entry === 'string' ? entry : entry.name;
    const key = `node_modules/${dependency}`;
    const version = packages[key]?.version;
    if (version === undefined) throw new Error(`${dependency} is not in the repository's lock file`);
    dependencies[dependency] = version;
    visit(key);
  }
  // Everything a bundled package carries inside it comes with its tarball.
  for (const key of Object.keys(packages)) {
    if (packages[key]!.inBundle === true && Object.keys(copied).some((parent) => key.startsWith(`${parent}/node_modules/`))) {
      copied[key] = consumerEntry(packages[key]!);
    }
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball.file)).digest('base64')}`;
  const lock = {
    name,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, dependencies },
      // npm ci links the commands a lock entry names (its `bin`) into node_modules/.bin.
      [`node_modules/${tarball.packageName}`]: { version: tarball.version, resolved: `file:${tarball.path}`, integrity, ...(tarball.bin === undefined ? {} : { bin: tarball.bin }) },
      ...hoistFetchedFromBundles(copied),
    },
  };
  return { dependencies, lock };
}

/**
 * The repository's entries with each alias moved to the place of the package it stands for (its nested entries
 * too), so that resolution from the consumer's packages finds the alias's version.
 */
function withAliasesInstalled(packages: Record<string, LockEntry>, aliases: readonly AliasedPackage[]): Record<string, LockEntry> {
  if (aliases.length === 0) return packages;
  const moved: Record<string, LockEntry> = {};
  const replaced = aliases.map(({ name }) => `node_modules/${name}`);
  for (const [key, entry] of Object.entries(packages)) {
    if (replaced.some((target) => key === target || key.startsWith(`${target}/`))) continue;
    const alias = aliases.find(({ from }) => key === `node_modules/${from}` || key.startsWith(`node_modules/${from}/`));
    moved[alias === undefined ? key : `node_modules/${alias.name}${key.slice(`node_modules/${alias.from}`.length)}`] = entry;
  }
  return moved;
}

/** The entry as the consumer's lock holds it: without the repository's dev flags. */
function consumerEntry(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
  return kept;
}

/**
 * npm marks a package that a bundled one needs but whose tarball does not carry (a peer, such as aws-cdk-lib
 * 2.269.0's `@aws-cdk/cloud-assembly-schema`) `inBundle` too, although it fetched it from the registry (it has an
 * `integrity`); and `npm ci` installs nothing inside a bundling package's folder but its tarball. Such a package
 * moves, with what it holds, to the top level, where Node.js still finds it from the bundled one, as a registry
 * package.
 */
function hoistFetchedFromBundles(packages: Record<string, LockEntry>): Record<string, LockEntry> {
  const hoisted: Record<string, LockEntry> = { ...packages };
  for (const [key, entry] of Object.entries(packages)) {
    const nested = key.lastIndexOf('/node_modules/');
    if (entry.inBundle !== true || entry.integrity === undefined || nested <= 0) continue;
    const name = key.slice(nested + '/node_modules/'.length);
    const target = `node_modules/${name}`;
    if (hoisted[target] !== undefined) continue;
    for (const inner of Object.keys(packages).filter((candidate) => candidate === key || candidate.startsWith(`${key}/`))) {
      delete hoisted[inner];
      hoisted[`${target}${inner.slice(key.length)}`] = packages[inner]!;
    }
    const { inBundle: _inBundle, ...fetched } = entry;
    hoisted[target] = { ...fetched, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  return hoisted;
}
