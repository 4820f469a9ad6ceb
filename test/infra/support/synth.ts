import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FunctionCode } from '../../../infra/constructs/function-code.ts';
import { placeholderFunctionCode } from '../../../infra/constructs/function-code.ts';
import type { Topology } from '../../../infra/constructs/topology-input.ts';
import { CalendarIntegrationsStack } from '../../../infra/stack.ts';

export interface Synthesized {
  app: App;
  stack: CalendarIntegrationsStack;
  template: Template;
}

/** A stack as app.ts builds it, with placeholder code unless `functionCode` is given. */
export function synthesize(options: { topology?: Topology; context?: Record<string, unknown>; functionCode?: FunctionCode } = {}): Synthesized {
  const app = new App({ context: options.context });
  const stack = new CalendarIntegrationsStack(app, 'CalendarIntegrationsStack', {
    functionCode: options.functionCode ?? placeholderFunctionCode(),
    topology: options.topology,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

export type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; DependsOn?: string[] };

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Whether a CloudFormation value (Ref, GetAtt, Join…) mentions the resource `logicalId`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(`"${logicalId}"`);
}

/** The logical id a Ref / Fn::GetAtt value points at. */
export function referencedId(value: unknown): string {
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return record.Ref;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  throw new Error(`Not a reference: ${JSON.stringify(value)}`);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourceListOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Every statement of every IAM policy attached to the role `roleLogicalId` (inline and separate). */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const roles = (policy.Properties?.Roles ?? []) as unknown[];
    if (!roles.some((role) => refersTo(role, roleLogicalId))) continue;
    statements.push(...((policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement));
  }
  const role = template.toJSON().Resources[roleLogicalId] as Resource;
  for (const inline of (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
    statements.push(...inline.PolicyDocument.Statement);
  }
  return statements;
}
