/**
 * Under mutation testing a property that fails has done its job: stop at the first counterexample instead of
 * shrinking it, which can take longer than Stryker's timeout for one mutant.
 */
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
