import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PipelineConfigError } from '../../infra/index.ts';
import { objectSpanSeconds, reconcileSettleSeconds } from '../../infra/reconcile-timing.ts';
import { acknowledgments, buildPipeline, expectNoLintErrors, onlyResource, synth } from './helpers.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:amberflo-keys-AbCdEf';

function reconcileFunction(template: ReturnType<typeof synth>['template']) {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('PipelineReconcile'));
  expect(functions.map(([id]) => id)).toHaveLength(1);
  return functions[0]![1].Properties as Record<string, any>;
}

describe.each([
  ['direct', {}],
  ['relay', { delivery: 'relay' as const, amberfloKeysSecretArn: SECRET_ARN }],
])('continuous reconcile, %s delivery by default', (mode, settings) => {
  const { app, template } = synth(settings);

  it('runs the function on a schedule of one window (1 hour)', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule');
    expect(rule.properties['ScheduleExpression']).toBe('rate(1 hour)');
    expect(rule.properties['Targets'][0].Arn['Fn::GetAtt'][0]).toMatch(/^PipelineReconcile/);
    const fn = reconcileFunction(template);
    expect(fn['Timeout']).toBe(900);
    expect(fn['MemorySize']).toBe(2048);
    const env = fn['Environment'].Variables;
    expect(env.WINDOW_SECONDS).toBe('3600');
    expect(env.SETTLE_SECONDS).toBe(mode === 'relay' ? '1740' : '1500');
    expect(env.REPORT_PREFIX).toBe('reconcile/');
    // The prefixes' templates: the function lists only the dates a window needs.
    expect(env.SOURCE_BACKUP_PREFIX).toBe('source-backup/!{timestamp:yyyy-MM-dd}/');
    expect(env.DATA_PREFIX).toBe('ingest/records/!{timestamp:yyyy-MM-dd}/');
    expect(env.FORWARDED_COUNT).toBe('on');
    expect(env.DELIVERY).toBe(mode);
    expect(env.AMBERFLO_KEYS_SECRET_ARN).toBe(mode === 'relay' ? SECRET_ARN : undefined);
  });

  it('alarms on findings (missing + conflicting + unexpected + unbacked + refused) and on a window not proven (missing data breaching)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-reconcile-findings$'),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'missing + conflicting + unexpected + unbacked + refused' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-reconcile-not-proven$'),
      MetricName: 'ReconcileWindowsNotProven',
      TreatMissingData: 'breaching',
      Period: 7200,
    });
  });

  it('may write only its report prefix, and reads its own prefixes only', () => {
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('PipelineReconcileRole'))![1];
    const text = JSON.stringify(role.Properties.Policies);
    const puts = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).filter((s: any) => [s.Action].flat().some((a: string) => /Put|Delete/.test(a) && a.startsWith('s3:')));
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0].Resource)).toContain('/reconcile/*');
    expect(text).not.toMatch(/s3:\*|s3:Delete/);
    // The one statement on * reads CloudWatch Logs' ForwardedLogEvents: neither action takes a narrower resource.
    const anywhere = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).filter((s: any) => s.Resource === '*');
    expect(anywhere.map((s: any) => [s.Action].flat().sort())).toEqual([['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']]);
    const reconcile = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => /^PipelineReconcile[0-9A-F]{8}$/.test(id))![1];
    expect(reconcile.Properties.Environment.Variables.PIPELINE_ACCOUNT).toEqual({ Ref: 'AWS::AccountId' });
    if (mode === 'relay') {
      expect(text).toContain('secretsmanager:GetSecretValue');
      expect(text).not.toContain('arn:aws:s3:::amberflo-test-bucket');
    } else {
      expect(text).toContain('amberflo-test-bucket/failed-requests/*');
      expect(text).toContain('amberflo-test-bucket/ingest/records/*');
    }
  });

  it('passes cfn-lint and cdk-nag (AwsSolutions)', () => {
    expectNoLintErrors(template);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it(mode === 'direct' ? 'outputs the role Amberflo\'s bucket policy must let read' : 'needs no grant from Amberflo (it reads with their key pair)', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs.includes('ReconcileRoleArn')).toBe(mode === 'direct');
  });

  it('adds a reconcile graph to the dashboard', () => {
    const body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').properties['DashboardBody']);
    expect(body).toContain('Reconcile: records per window');
    expect(body).toContain('ReconcileMissing');
    expect(body).toContain('ReconcileUnbackedLogEvents');
  });
});

describe('continuous reconcile settings', () => {
  it('is off without the source backup, with a warning; refused when asked for without it', () => {
    const pipeline = buildPipeline({ sourceBackup: false });
    expect(pipeline.reconcile).toBeUndefined();
    const warnings = Annotations.fromStack(pipeline.node.scope as never).findWarning('*', Match.stringLikeRegexp('continuous reconcile'));
    expect(warnings).toHaveLength(1);
    expect(() => buildPipeline({ sourceBackup: false, continuousReconcile: true })).toThrow(PipelineConfigError);
    expect(() => buildPipeline({ sourceBackup: false, continuousReconcile: true })).toThrow(/continuousReconcile needs sourceBackup/);
  });

  it('can be turned off, and its window set (whole minutes dividing a day)', () => {
    expect(buildPipeline({ continuousReconcile: false }).reconcile).toBeUndefined();
    const { template } = synth({ reconcileWindowSeconds: 900 });
    expect(onlyResource(template, 'AWS::Events::Rule').properties['ScheduleExpression']).toBe('rate(15 minutes)');
    expect(() => synth({ reconcileWindowSeconds: 420 })).toThrow(/reconcileWindow(Seconds)? must be whole minutes that divide a day/);
    expect(() => synth({ reconcileAlarmOnRefused: false })).not.toThrow();
    synth({ reconcileAlarmOnRefused: false }).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'missing + conflicting + unexpected + unbacked' })]),
    });
  });

  it('can leave the independent count out: no CloudWatch reads on *, no unbacked events in the findings alarm', () => {
    const { app, template } = synth({ reconcileForwardedCount: false });
    expect(reconcileFunction(template)['Environment'].Variables.FORWARDED_COUNT).toBe('off');
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('PipelineReconcileRole'))![1];
    expect(JSON.stringify(role.Properties.Policies)).not.toContain('cloudwatch:');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-reconcile-findings$'),
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'missing + conflicting + unexpected + refused' })]),
    });
    expect(JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').properties['DashboardBody'])).not.toContain('ReconcileUnbackedLogEvents');
    // Nothing on * left to acknowledge.
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    expect(JSON.stringify(acknowledgments(app))).not.toContain('AwsSolutions-IAM5[Resource::*]');
  });

  it('settles the buffers, every transform attempt, a re-ingest round and the forwarder', () => {
    const timing = { processorBufferIntervalSeconds: 60, destinationBufferIntervalSeconds: 300, processorRetries: 3, transformTimeoutSeconds: 120 };
    expect(reconcileSettleSeconds({ ...timing, delivery: 'direct' }, 120)).toBe(2 * 360 + 4 * 120 + 300);
    expect(reconcileSettleSeconds({ ...timing, delivery: 'relay' }, 120)).toBe(2 * 360 + 4 * 120 + 240 + 300);
    expect(objectSpanSeconds(timing)).toBe(480);
  });
});
