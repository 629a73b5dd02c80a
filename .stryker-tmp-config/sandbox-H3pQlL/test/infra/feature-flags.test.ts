// @ts-nocheck
import { describe, expect, it } from 'vitest';
import { FEATURE_FLAGS, synth } from './helpers.ts';

/** The template without CDK's analytics, with IAM action and resource lists in a fixed order. */
function normalized(template: Record<string, any>): unknown {
  const { CDKMetadata: _metadata, ...resources } = template.Resources;
  return JSON.parse(JSON.stringify(resources), (key, value) =>
    (key === 'Action' || key === 'Resource') && Array.isArray(value)
      ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      : value,
  );
}

describe('the recommended feature flags in cdk.json', () => {
  it('are set, every one of them', () => {
    expect(Object.keys(FEATURE_FLAGS).length).toBeGreaterThan(100);
    expect(FEATURE_FLAGS['@aws-cdk/aws-iam:minimizePolicies']).toBe(true);
  });

  it('change nothing in the template but the order of IAM actions and resources (aws-iam:minimizePolicies)', () => {
    const settings = {
      sourceLogGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
      accountSubscriptionPolicy: true,
      streamShardCount: 2,
    };
    const topic = 'arn:aws:sns:eu-west-1:111122223333:alarms';
    const flagged = synth(settings, topic).template.toJSON();
    const unflagged = synth(settings, topic, {}).template.toJSON();
    expect(JSON.stringify(flagged)).not.toEqual(JSON.stringify(unflagged));
    expect(normalized(flagged)).toEqual(normalized(unflagged));
  });
});
