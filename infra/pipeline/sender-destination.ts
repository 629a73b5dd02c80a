/**
 * Cross-account sources: the CloudWatch Logs destination other accounts' subscription filters (or account-level
 * subscription filter policies) point at, in front of the pipeline's source, and the policy that admits exactly the
 * configured sender accounts or organization.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IDependable } from 'constructs';
import type { MeterIngestionPipelineProps } from './props.ts';
import type { RecordDestination } from './record-destination.ts';

/** Who may subscribe to the destination: accounts by id, and/or the accounts of an organization (or some of its units). */
export interface SenderPrincipals {
  /** Sender accounts admitted by id. */
  readonly accountIds: readonly string[];
  /** The AWS Organizations id whose accounts are admitted (`aws:PrincipalOrgID`), if any. */
  readonly organizationId: string | undefined;
  /** Organizational-unit paths that narrow the organization (`aws:PrincipalOrgPaths`). */
  readonly organizationPaths: readonly string[];
}

/** The actions a sender account calls against the destination: a log-group subscription filter, or an account policy. */
export const SENDER_ACTIONS = ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'] as const;

const MAX_SENDER_ACCOUNTS = 100;
const MAX_ORGANIZATION_PATHS = 10;
/** PutDestinationPolicy takes an access policy of up to 5120 bytes. */
const MAX_DESTINATION_POLICY_BYTES = 5120;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An entity path: the organization, its root, then organizational units, ending in `/` or `/*`. */
const ORGANIZATION_PATH = /^o-[a-z0-9]{10,32}\/r-[a-z0-9]{4,32}\/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\/)*\*?$/;

/**
 * The sender settings, checked; undefined when there are none. Messages name the prop (and CDK context key), as
 * resolveSettings' do.
 */
export function resolveSenders(
  props: Pick<MeterIngestionPipelineProps, 'senderAccountIds' | 'senderOrganizationId' | 'senderOrganizationPaths'>,
  fail: (message: string) => never,
): SenderPrincipals | undefined {
  const accountIds = props.senderAccountIds ?? [];
  const organizationPaths = props.senderOrganizationPaths ?? [];
  const { senderOrganizationId: organizationId } = props;
  const invalid = accountIds.find((id) => !/^\d{12}$/.test(id));
  if (invalid !== undefined) fail(`senderAccountIds must hold 12-digit AWS account ids, got "${invalid}"`);
  const duplicate = accountIds.find((id, i) => accountIds.indexOf(id) !== i);
  if (duplicate !== undefined) fail(`senderAccountIds lists "${duplicate}" twice`);
  if (accountIds.length > MAX_SENDER_ACCOUNTS) {
    fail(`senderAccountIds may list at most ${MAX_SENDER_ACCOUNTS} accounts (use senderOrganizationId for more), got ${accountIds.length}`);
  }
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId)) {
    fail(`senderOrganizationId must be an AWS Organizations id ("o-" and 10-32 lowercase letters or digits), got "${organizationId}"`);
  }
  if (organizationPaths.length > 0 && organizationId === undefined) {
    fail('senderOrganizationPaths requires senderOrganizationId: the paths narrow the organization to some of its units');
  }
  const badPath = organizationPaths.find((path) => !ORGANIZATION_PATH.test(path) || !path.startsWith(`${organizationId}/`));
  if (badPath !== undefined) {
    fail(
      `senderOrganizationPaths must hold entity paths of organization ${organizationId} ` +
        `("${organizationId}/r-…/ou-…/", optionally ending in "*"), got "${badPath}"`,
    );
  }
  if (organizationPaths.length > MAX_ORGANIZATION_PATHS) {
    fail(`senderOrganizationPaths may list at most ${MAX_ORGANIZATION_PATHS} paths, got ${organizationPaths.length}`);
  }
  if (accountIds.length === 0 && organizationId === undefined) return undefined;
  const senders = { accountIds, organizationId, organizationPaths };
  // Measured with the longest destination ARN a pipeline can have (its name is at most 64 + 14 characters).
  const longestArn = `arn:aws-us-gov:logs:ap-southeast-5:123456789012:destination:${'x'.repeat(78)}`;
  const bytes = Buffer.byteLength(JSON.stringify(destinationPolicy(senders, longestArn)));
  if (bytes > MAX_DESTINATION_POLICY_BYTES) {
    fail(`the destination policy for these senders would be ${bytes} bytes, over CloudWatch Logs' ${MAX_DESTINATION_POLICY_BYTES}: list fewer senderAccountIds or senderOrganizationPaths`);
  }
  return senders;
}

/**
 * The destination's access policy: the sender accounts by id, and the organization's accounts (those in the given
 * units, if any) by `aws:PrincipalOrgID` / `aws:PrincipalOrgPaths`; nobody else, and nothing but subscribing.
 */
export function destinationPolicy(senders: SenderPrincipals, destinationArn: string): object {
  const statements: object[] = [];
  if (senders.accountIds.length > 0) {
    statements.push({
      Sid: 'SenderAccounts',
      Effect: 'Allow',
      Principal: { AWS: [...senders.accountIds] },
      Action: [...SENDER_ACTIONS],
      Resource: destinationArn,
    });
  }
  if (senders.organizationId !== undefined) {
    statements.push({
      Sid: 'SenderOrganization',
      Effect: 'Allow',
      Principal: '*',
      Action: [...SENDER_ACTIONS],
      Resource: destinationArn,
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': senders.organizationId },
        ...(senders.organizationPaths.length > 0 ? { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [...senders.organizationPaths] } } : {}),
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

export interface SenderDestinationProps {
  readonly pipelineName: string;
  readonly senders: SenderPrincipals;
  /** The pipeline's source: the Kinesis stream, or the Firehose stream (Direct PUT). */
  readonly target: RecordDestination;
  /**
   * What must exist first: CloudWatch Logs sends a test message when the destination is created, and Firehose reads
   * a Kinesis source from LATEST.
   */
  readonly startAfter: IDependable;
}

/** The CloudWatch Logs destination sender accounts subscribe to, and the role CloudWatch Logs puts their events with. */
export class SenderDestination {
  /** `<pipelineName>-meter-records`. */
  readonly destinationName: string;
  /** The destination's ARN: what sender accounts' subscription filters and account policies point at. */
  readonly arn: string;
  /** The role CloudWatch Logs assumes to put the senders' log events into the pipeline's source. */
  readonly role: iam.Role;
  /** The `AWS::Logs::Destination` resource. */
  readonly destination: logs.CfnDestination;
  /** What the destination puts into: the pipeline's source (for destinations in other Regions). */
  readonly targetArn: string;

  /** Adds `SenderDestinationRole` and `SenderDestination` to `scope`. */
  constructor(scope: Construct, props: SenderDestinationProps) {
    const { senders, target } = props;
    const stack = Stack.of(scope);
    this.destinationName = `${props.pipelineName}-meter-records`;
    this.targetArn = target.arn;
    this.arn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:destination:${this.destinationName}`;
    // CloudWatch Logs assumes the role on behalf of the sending account: the source ARN names that account's log
    // groups (any account of the organization, whose membership the destination policy checks).
    const sourceAccounts = senders.organizationId === undefined ? [...senders.accountIds, Aws.ACCOUNT_ID] : ['*'];
    this.role = new iam.Role(scope, 'SenderDestinationRole', {
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: {
          StringLike: { 'aws:SourceArn': sourceAccounts.map((account) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${account}:*`) },
        },
      }),
      description: `Meter pipeline ${props.pipelineName}: sender accounts' subscriptions to ${target.description}`,
      inlinePolicies: {
        PutRecords: new iam.PolicyDocument({ statements: target.producerStatements([target.putActions.single, target.putActions.batch]) }),
      },
    });
    this.destination = new logs.CfnDestination(scope, 'SenderDestination', {
      destinationName: this.destinationName,
      targetArn: target.arn,
      roleArn: this.role.roleArn,
      destinationPolicy: stack.toJsonString(destinationPolicy(senders, this.arn)),
    });
    this.destination.node.addDependency(props.startAfter);
  }
}
