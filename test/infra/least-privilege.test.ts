import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_CONTEXT_KEYS, CREDENTIAL_KEY_ACTIONS, QUEUE_CONSUME_ACTIONS, TABLE_WRITE_ACTIONS } from '../../infra/constructs/function-permissions.ts';
import { QUEUE_URL_VARIABLES } from '../../infra/constructs/queue-variables.ts';
import type { FunctionSpec } from '../../infra/topology.ts';
import { loadConfig } from '../../shared/runtime/config.ts';
import { TOPOLOGIES } from './support/extended-topology.ts';
import { actionsOf, referencedId, refersTo, resourceListOf, statementsOfRole, synthesize, type Resource, type Statement } from './support/synth.ts';

/** Only for functions that set booking timers (test/infra/booking-timers.test.ts checks exactly what). */
const TIMER_SERVICES = new Set(['scheduler', 'iam']);
const ALLOWED_SERVICES = new Set(['logs', 'dynamodb', 'sqs', 'events', 'kms', 'secretsmanager', 'ses', 'sns']);
/** SMS to phone numbers: the one action that must name "*", allowed only beside a Deny on every topic. */
const isSmsPublish = (statement: Statement) => actionsOf(statement).length === 1 && actionsOf(statement)[0] === 'sns:Publish';

/** Each function's IAM policy, derived from `permissions` in the topology, so the expectations grow with it. */
describe.each(TOPOLOGIES)('least privilege in the $name', ({ topology }) => {
  const { stack, template } = synthesize({ topology });
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const tableId = idOf(stack.data.table);
  const busId = idOf(stack.eventRoutes.bus);
  const stackKeyId = idOf(stack.keys.stackKey);
  const credentialsKeyId = idOf(stack.keys.credentialsKey);
  const secretId = idOf(stack.providerSecret.secret);

  const statementsOf = (spec: FunctionSpec): Statement[] => statementsOfRole(template, idOf(stack.functions.get(spec.name)!.role));
  const withAction = (statements: Statement[], predicate: (action: string) => boolean) => statements.filter((statement) => actionsOf(statement).some(predicate));
  const resourceIds = (statements: Statement[]) => new Set(statements.flatMap((statement) => resourceListOf(statement).map(referencedId)));

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: only allowed services, no wildcard action or resource, no AWS managed policy', (_name, spec) => {
    const statements = statementsOf(spec);
    for (const statement of statements) {
      if (isSmsPublish(statement)) continue;
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) {
        expect(action).not.toContain('*');
        const service = action.split(':')[0]!;
        expect(ALLOWED_SERVICES.has(service) || (spec.permissions.timers === true && TIMER_SERVICES.has(service)), action).toBe(true);
      }
      for (const resource of resourceListOf(statement)) {
        expect(resource, JSON.stringify(statement)).not.toBe('*');
        if (typeof resource === 'string') expect(resource).not.toContain('*');
      }
    }
    const role = resources[idOf(stack.functions.get(spec.name)!.role)]!;
    expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: email only from the SesIdentity parameter, SMS to phone numbers only, both only if declared', (_name, spec) => {
    const statements = statementsOf(spec);
    const email = withAction(statements, (action) => action.startsWith('ses:'));
    if (!spec.permissions.sendEmail) expect(email).toEqual([]);
    else {
      expect(new Set(email.flatMap(actionsOf))).toEqual(new Set(['ses:SendEmail', 'ses:SendRawEmail']));
      expect(JSON.stringify(email.flatMap(resourceListOf))).toContain('SesIdentity');
      expect(JSON.stringify(email.flatMap(resourceListOf))).toContain(':identity/');
    }
    const sms = withAction(statements, (action) => action.startsWith('sns:'));
    if (!spec.permissions.sendSms) {
      expect(sms).toEqual([]);
      return;
    }
    expect(sms.every(isSmsPublish)).toBe(true);
    const allow = sms.filter((statement) => statement.Effect === 'Allow');
    const deny = sms.filter((statement) => statement.Effect === 'Deny');
    expect(allow.flatMap(resourceListOf)).toEqual(['*']);
    expect(JSON.stringify(deny.flatMap(resourceListOf))).toContain(':sns:*:*:*');
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: table access as declared, on our table and its indexes only', (_name, spec) => {
    const table = withAction(statementsOf(spec), (action) => action.startsWith('dynamodb:'));
    const actions = table.flatMap(actionsOf);
    if (spec.permissions.table === 'none') {
      expect(actions).toEqual([]);
      return;
    }
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).toContain('dynamodb:Query');
    const writes = actions.filter((action) => TABLE_WRITE_ACTIONS.includes(action));
    if (spec.permissions.table === 'read') expect(writes).toEqual([]);
    else expect(new Set(writes)).toEqual(new Set(TABLE_WRITE_ACTIONS));
    for (const resource of table.flatMap(resourceListOf)) expect(refersTo(resource, tableId), JSON.stringify(resource)).toBe(true);
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: sends only to its sendTo queues, deadLetterTo DLQs and own failure destination', (_name, spec) => {
    const sends = withAction(statementsOf(spec), (action) => action === 'sqs:SendMessage');
    const expected = new Set([
      ...spec.permissions.sendTo.map((name) => idOf(stack.queues.get(name).queue)),
      ...spec.permissions.deadLetterTo.map((name) => idOf(stack.queues.get(name).deadLetterQueue)),
      ...(stack.schedules.has(spec.name) ? [idOf(stack.schedules.get(spec.name)!.failureQueue)] : []),
      ...(spec.trigger.kind === 'timers' ? [idOf(stack.bookingTimers!.deadLetterQueue)] : []),
    ]);
    expect(resourceIds(sends)).toEqual(expected);
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: consumes (and changes visibility on) only the queue that triggers it', (_name, spec) => {
    const consumes = withAction(statementsOf(spec), (action) => QUEUE_CONSUME_ACTIONS.includes(action));
    if (spec.trigger.kind !== 'queue' && spec.trigger.kind !== 'dead-letters') {
      expect(consumes).toEqual([]);
      return;
    }
    expect(consumes.flatMap(actionsOf)).toContain('sqs:ChangeMessageVisibility');
    const work = stack.queues.get(spec.trigger.queue);
    expect(resourceIds(consumes)).toEqual(new Set([idOf(spec.trigger.kind === 'queue' ? work.queue : work.deadLetterQueue)]));
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: publishes domain events only if declared, only to our bus', (_name, spec) => {
    const puts = withAction(statementsOf(spec), (action) => action.startsWith('events:'));
    if (!spec.permissions.publishEvents) expect(puts).toEqual([]);
    else expect(resourceIds(puts)).toEqual(new Set([busId]));
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: credentials key actions as declared, bound to a tenant and provider context', (_name, spec) => {
    const onCredentialsKey = statementsOf(spec).filter((statement) => resourceListOf(statement).some((resource) => refersTo(resource, credentialsKeyId)));
    expect(new Set(onCredentialsKey.flatMap(actionsOf))).toEqual(new Set(CREDENTIAL_KEY_ACTIONS[spec.permissions.kms]));
    for (const statement of onCredentialsKey) {
      for (const key of CREDENTIAL_CONTEXT_KEYS) expect(statement.Condition?.Null?.[`kms:EncryptionContext:${key}`]).toBe('false');
    }
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: uses the stack key only through DynamoDB, SQS or Secrets Manager', (_name, spec) => {
    const onStackKey = statementsOf(spec).filter((statement) => resourceListOf(statement).some((resource) => refersTo(resource, stackKeyId)));
    const services = onStackKey.map((statement) => JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'] ?? null));
    for (const service of services) expect(service).toMatch(/"(dynamodb|sqs|secretsmanager)\."/);
    const needsStackKey = spec.permissions.table !== 'none' || spec.permissions.providerSecrets || spec.permissions.sendTo.length + spec.permissions.deadLetterTo.length > 0 || spec.trigger.kind !== 'http';
    expect(onStackKey.length > 0).toBe(needsStackKey);
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: reads the provider secret only if declared', (_name, spec) => {
    const reads = withAction(statementsOf(spec), (action) => action.startsWith('secretsmanager:'));
    if (!spec.permissions.providerSecrets) expect(reads).toEqual([]);
    else expect(resourceIds(reads)).toEqual(new Set([secretId]));
  });

  it.each(topology.functions.map((spec) => [spec.name, spec] as const))('%s: gets the configuration it may use and nothing it may not', (_name, spec) => {
    const variables = (resources[idOf(stack.functions.get(spec.name)!.function)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const has = (name: string) => name in variables;
    const queueVariables = new Set([
      ...spec.permissions.sendTo.map((name) => QUEUE_URL_VARIABLES[name].queue),
      ...spec.permissions.deadLetterTo.map((name) => QUEUE_URL_VARIABLES[name].deadLetter),
      ...(spec.trigger.kind === 'queue' ? [QUEUE_URL_VARIABLES[spec.trigger.queue].queue] : []),
    ]);
    const allQueueVariables = Object.values(QUEUE_URL_VARIABLES).flatMap((entry) => [entry.queue, entry.deadLetter]);

    expect(variables.RUNTIME_MODE).toBe('aws');
    expect(has('TABLE_NAME')).toBe(spec.permissions.table !== 'none');
    expect(has('EVENT_BUS_NAME')).toBe(spec.permissions.publishEvents);
    expect(has('KMS_KEY_ID')).toBe(spec.permissions.kms !== 'none');
    expect(has('PROVIDER_SECRETS_ARN')).toBe(spec.permissions.providerSecrets);
    for (const name of ['BOOKING_TIMER_GROUP', 'BOOKING_TIMER_TARGET_ARN', 'BOOKING_TIMER_ROLE_ARN', 'BOOKING_TIMER_DLQ_ARN']) expect(has(name), name).toBe(spec.permissions.timers === true);
    expect(has('EMAIL_FROM')).toBe(spec.permissions.sendEmail === true);
    for (const name of allQueueVariables) if (name) expect(has(name), name).toBe(queueVariables.has(name));
    for (const name of ['PUBLIC_BASE_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL', 'JWT_TENANT_CLAIM', 'ALLOWED_RETURN_ORIGINS']) expect(has(name), name).toBe(true);
    if (has('KMS_KEY_ID')) expect(referencedId(variables.KMS_KEY_ID)).toBe(credentialsKeyId);

    // The runtime accepts it once CloudFormation has resolved the references.
    const resolved = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : name === 'PUBLIC_BASE_URL' ? 'https://abc.execute-api.example.com' : `resolved-${name}`]));
    expect(() => loadConfig(resolved)).not.toThrow();
  });
});
