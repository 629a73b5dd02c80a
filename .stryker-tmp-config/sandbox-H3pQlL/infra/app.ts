// @ts-nocheck
import { Errors } from 'aws-cdk-lib';
import { PipelineConfigError } from './pipeline/settings.ts';
import { createApp } from './stack.ts';

// A setting out of range is the user's to fix: one line naming it, no stack trace. So is a value that only CDK's
// own checks catch (such as a log group name too long for an alarm dimension). Anything else is a bug.
try {
  const app = createApp({ autoSynth: false });
  app.synth();
  console.error(app.awsSolutionsSummary());
} catch (error) {
  if (!(error instanceof PipelineConfigError) && !Errors.isValidationError(error)) throw error;
  console.error(`Error: ${error.message}`);
  process.exitCode = 1;
}
