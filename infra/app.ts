import { PipelineConfigError } from './pipeline/settings.ts';
import { createApp } from './stack.ts';

// A setting out of range is the user's to fix: one line naming it, no stack trace. Anything else is a bug.
try {
  const app = createApp({ autoSynth: false });
  app.synth();
  console.error(app.awsSolutionsSummary());
} catch (error) {
  if (!(error instanceof PipelineConfigError)) throw error;
  console.error(`Error: ${error.message}`);
  process.exitCode = 1;
}
