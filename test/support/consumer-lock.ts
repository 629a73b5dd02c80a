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
 * The lock of a consumer named `name` that depends on `tarball` (a path relative to the consumer, e.g.
 * `./pkg.tgz`) and on `repositoryPackages` at the versions this repository's lock file pins.
 */
export function consumerLock(name: string, repositoryLockFile: string, tarball: { file: string; path: string; version: string; packageName: string }, repositoryPackages: readonly string[]): ConsumerLock {
  const { packages } = JSON.parse(readFileSync(repositoryLockFile, 'utf8')) as PackageLock;
  const copied: Record<string, LockEntry> = {};
  const visit = (key: string): void => {
    if (copied[key] !== undefined) return;
    const entry = packages[key];
    if (entry === undefined) throw new Error(`${key} is not in the repository's lock file`);
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    copied[key] = kept;
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
  for (const dependency of repositoryPackages) {
    const key = `node_modules/${dependency}`;
    const version = packages[key]?.version;
    if (version === undefined) throw new Error(`${dependency} is not in the repository's lock file`);
    dependencies[dependency] = version;
    visit(key);
  }
  // Everything a bundled package carries inside it comes with its tarball.
  for (const key of Object.keys(packages)) {
    if (packages[key]!.inBundle === true && Object.keys(copied).some((parent) => key.startsWith(`${parent}/node_modules/`))) {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = packages[key]!;
      copied[key] = kept;
    }
  }
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball.file)).digest('base64')}`;
  const lock = {
    name,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, dependencies },
      [`node_modules/${tarball.packageName}`]: { version: tarball.version, resolved: `file:${tarball.path}`, integrity },
      ...copied,
    },
  };
  return { dependencies, lock };
}
