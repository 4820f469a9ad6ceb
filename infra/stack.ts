import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FunctionSpec } from './topology.ts';
import { DataTable } from './constructs/data-table.ts';
import { DeadLetterAlarms } from './constructs/dead-letter-alarms.ts';
import { readDeploySettings, type DeploySettings } from './constructs/deploy-settings.ts';
import { BookingTimers } from './constructs/booking-timers.ts';
import { EncryptionKeys } from './constructs/encryption-keys.ts';
import { EventRoutes } from './constructs/event-routes.ts';
import type { FunctionCode } from './constructs/function-code.ts';
import { grantDeclaredPermissions } from './constructs/function-permissions.ts';
import { connectQueueTrigger, scheduleFunction, type ScheduledRun } from './constructs/function-triggers.ts';
import { HttpApi } from './constructs/http-api.ts';
import { pascalCase } from './constructs/naming.ts';
import { ProviderSecret } from './constructs/provider-secret.ts';
import { deadLetterUrlVariable, QUEUE_URL_VARIABLES } from './constructs/queue-variables.ts';
import { ServiceFunction } from './constructs/service-function.ts';
import { PROJECT_TOPOLOGY, validateTopology, type Topology } from './constructs/topology-input.ts';
import { WorkQueues } from './constructs/work-queues.ts';

export interface CalendarIntegrationsStackProps extends StackProps {
  /** Each function's deployment package: bundled (app.ts) or a placeholder (template-only tests). */
  functionCode: FunctionCode;
  /** Default: infra/topology.ts and the route contracts in shared/api. */
  topology?: Topology;
}

/**
 * The whole backend in one environment-agnostic stack, built from infra/topology.ts: adding a function,
 * queue, schedule, event route or HTTP route there adds it here, with its permissions, triggers, dead-letter
 * queues and alarms, and no change to this file.
 */
export class CalendarIntegrationsStack extends Stack {
  readonly topology: Topology;
  readonly settings: DeploySettings;
  readonly keys: EncryptionKeys;
  readonly data: DataTable;
  readonly alarms: DeadLetterAlarms;
  readonly queues: WorkQueues;
  readonly eventRoutes: EventRoutes;
  readonly providerSecret: ProviderSecret;
  readonly httpApi: HttpApi;
  readonly functions = new Map<string, ServiceFunction>();
  readonly schedules = new Map<string, ScheduledRun>();
  /** The booking timers (Scheduler group, execution role, DLQ), when the topology has functions that use them. */
  readonly bookingTimers: BookingTimers | undefined;
  /** The verified SES identity (domain or address) notifications are sent from, and the From header. */
  readonly sesIdentity: CfnParameter;
  readonly emailFrom: CfnParameter;

  constructor(scope: Construct, id: string, props: CalendarIntegrationsStackProps) {
    super(scope, id, { description: 'calendar-integrations: serverless calendar integrations backend', ...props });
    this.topology = props.topology ?? PROJECT_TOPOLOGY;
    validateTopology(this.topology);
    this.settings = readDeploySettings(this);

    this.keys = new EncryptionKeys(this, 'Keys');
    const stackKey = this.keys.stackKey;
    this.data = new DataTable(this, 'Data', { key: stackKey });
    this.alarms = new DeadLetterAlarms(this, 'Alarms', { key: stackKey, email: this.settings.alarmEmail });
    this.queues = new WorkQueues(this, 'Queues', { topology: this.topology, key: stackKey, alarms: this.alarms });
    this.eventRoutes = new EventRoutes(this, 'Events', {
      topology: this.topology,
      busName: this.settings.eventBusName,
      queues: this.queues,
      key: stackKey,
      alarms: this.alarms,
    });
    this.providerSecret = new ProviderSecret(this, 'ProviderSecrets', { key: stackKey });
    this.httpApi = new HttpApi(this, 'Http', { settings: this.settings, key: stackKey });
    this.sesIdentity = new CfnParameter(this, 'SesIdentity', {
      type: 'String',
      default: 'example.com',
      description: 'Verified Amazon SES identity (a domain or an address) that notification emails are sent from',
      allowedPattern: '^[^\\s/*]+$',
    });
    this.emailFrom = new CfnParameter(this, 'EmailFrom', {
      type: 'String',
      default: 'Bookings <bookings@example.com>',
      description: 'From header of notification emails; its address must belong to SesIdentity',
    });

    for (const spec of this.topology.functions) {
      const fn = new ServiceFunction(this, pascalCase(spec.name), {
        spec,
        code: props.functionCode(spec),
        environment: this.#environmentOf(spec),
        logRetentionDays: this.settings.logRetentionDays,
        key: stackKey,
      });
      grantDeclaredPermissions(fn, {
        table: this.data,
        queues: this.queues,
        bus: this.eventRoutes.bus,
        stackKey,
        credentialsKey: this.keys.credentialsKey,
        providerSecret: this.providerSecret.secret,
        emailIdentityArn: this.formatArn({ service: 'ses', resource: 'identity', resourceName: this.sesIdentity.valueAsString }),
      });
      if (spec.trigger.kind === 'queue' || spec.trigger.kind === 'dead-letters') connectQueueTrigger(fn, this.queues.get(spec.trigger.queue), stackKey);
      if (spec.trigger.kind === 'schedule') this.schedules.set(spec.name, scheduleFunction(this, fn, stackKey, this.alarms));
      this.functions.set(spec.name, fn);
    }
    const timerTargets = this.topology.functions.filter((spec) => spec.trigger.kind === 'timers');
    const timerManagers = this.topology.functions.filter((spec) => spec.permissions.timers);
    if (timerTargets.length + timerManagers.length > 0) {
      const timers = new BookingTimers(this, 'BookingTimers', { key: stackKey, alarms: this.alarms });
      for (const spec of timerTargets) timers.setTarget(this.functions.get(spec.name)!);
      for (const spec of timerManagers) timers.allowManage(this.functions.get(spec.name)!);
      this.bookingTimers = timers;
    }
    for (const route of this.topology.httpRoutes) {
      const fn = this.functions.get(route.function);
      if (!fn) throw new Error(`Route ${route.routeKey}: no function ${route.function}`);
      this.httpApi.addRoute(route, fn);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'PublicBaseUrl', { value: this.#publicBaseUrl(), description: 'URL providers call back (OAuth redirects, pushes)' });
    new CfnOutput(this, 'ProviderSecretsArn', { value: this.providerSecret.secret.secretArn, description: 'Fill with provider client credentials (JSON)' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventRoutes.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Subscribe to be told about dead letters' });
  }

  #publicBaseUrl(): string {
    return this.settings.publicBaseUrl ?? this.httpApi.url;
  }

  /** The configuration a function reads (names from shared/runtime/config.ts), limited to what it may use. */
  #environmentOf(spec: FunctionSpec): Record<string, string> {
    const { permissions, trigger } = spec;
    const settings = this.settings;
    const environment: Record<string, string> = {
      RUNTIME_MODE: 'aws',
      PUBLIC_BASE_URL: this.#publicBaseUrl(),
      JWT_ISSUER: settings.jwtIssuer,
      JWT_AUDIENCE: settings.jwtAudience,
      JWT_JWKS_URL: settings.jwtJwksUrl,
      JWT_TENANT_CLAIM: settings.jwtTenantClaim,
      ALLOWED_RETURN_ORIGINS: settings.allowedReturnOrigins.join(','),
    };
    if (permissions.table !== 'none') environment.TABLE_NAME = this.data.table.tableName;
    if (permissions.publishEvents) environment.EVENT_BUS_NAME = this.eventRoutes.bus.eventBusName;
    if (permissions.kms !== 'none') environment.KMS_KEY_ID = this.keys.credentialsKey.keyArn;
    if (permissions.providerSecrets) environment.PROVIDER_SECRETS_ARN = this.providerSecret.secret.secretArn;
    if (permissions.sendEmail) environment.EMAIL_FROM = this.emailFrom.valueAsString;
    // A consumer needs its own queue's URL to change message visibility for backoff.
    const ownQueue = trigger.kind === 'queue' ? [trigger.queue] : [];
    for (const queue of new Set([...permissions.sendTo, ...ownQueue])) {
      environment[QUEUE_URL_VARIABLES[queue].queue] = this.queues.get(queue).queue.queueUrl;
    }
    for (const queue of permissions.deadLetterTo) {
      environment[deadLetterUrlVariable(queue)] = this.queues.get(queue).deadLetterQueue.queueUrl;
    }
    return environment;
  }
}
