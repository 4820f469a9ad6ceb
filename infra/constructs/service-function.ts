import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../topology.ts';

/** Node.js 24 on Lambda; built by name if this aws-cdk-lib predates the constant. */
export const NODE_RUNTIME: lambda.Runtime =
  (lambda.Runtime as { NODEJS_24_X?: lambda.Runtime }).NODEJS_24_X ?? new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS);

const RETENTION_DAYS = new Set<number>(Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number'));

export function logRetention(days: number): logs.RetentionDays {
  if (!RETENTION_DAYS.has(days)) throw new Error(`logRetentionDays ${days} is not a CloudWatch Logs retention (e.g. 7, 14, 30, 90, 365)`);
  return days as logs.RetentionDays;
}

export interface ServiceFunctionProps {
  spec: FunctionSpec;
  code: lambda.Code;
  environment: Record<string, string>;
  logRetentionDays: number;
  /** Encrypts the log group. */
  key: kms.IKey;
}

/**
 * One Lambda of the topology: arm64 Node.js 24 with the spec's memory and timeout, its own log group, and its
 * own role that starts with nothing but writing that log group (no AWS managed policy): every other
 * permission is added from `permissions` in infra/topology.ts.
 */
export class ServiceFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.spec = props.spec;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `calendar-integrations ${props.spec.name}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logRetention(props.logRetentionDays),
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      description: props.spec.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: props.code,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
    });
    // The role's policy must exist before anything (an event source mapping, an invoke) uses the function.
    this.function.node.addDependency(this.role);
  }

  allow(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
