/** The reconciling function's entry: configuration read once per cold start, on the first invocation. */
import { awsDependencies } from './aws.ts';
import { reconcileConfigFrom } from './config.ts';
import { type ReconcileDependencies, createReconcileHandler } from './handler.ts';

let dependencies: ReconcileDependencies | undefined;

export const handler = createReconcileHandler(() => (dependencies ??= awsDependencies(reconcileConfigFrom(process.env), process.env)));
