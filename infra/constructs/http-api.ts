import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpRouteSpec } from '../topology.ts';
import type { DeploySettings } from './deploy-settings.ts';
import { pascalCase } from './naming.ts';
import type { ServiceFunction } from './service-function.ts';
import { logRetention } from './service-function.ts';

// One JSON line per request; no headers, so no bearer token ever reaches the logs.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    responseLength: '$context.responseLength',
  }),
);

export interface HttpApiProps {
  settings: DeploySettings;
  key: kms.IKey;
}

/**
 * The HTTP API: created before the functions (they receive its URL as PUBLIC_BASE_URL; the API resource itself
 * depends on no function, so there is no cycle), routes added afterwards from the route contracts.
 */
export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly #authorizer: HttpJwtAuthorizer;
  readonly #integrations = new Map<string, HttpLambdaIntegration>();
  readonly routes = new Map<string, { spec: HttpRouteSpec; routes: apigw.HttpRoute[] }>();

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { settings } = props;
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'calendar-integrations HTTP API',
      createDefaultStage: false,
      corsPreflight:
        settings.corsAllowedOrigins.length > 0
          ? {
              allowOrigins: settings.corsAllowedOrigins,
              allowMethods: [apigw.CorsHttpMethod.ANY],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
            }
          : undefined,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logRetention(settings.logRetentionDays),
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.#authorizer = new HttpJwtAuthorizer('JwtAuthorizer', settings.jwtIssuer, {
      jwtAudience: [settings.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /**
   * Route settings live on the stage (the L2 stage only sets the default route's): one entry per throttled
   * route key. The property is plain JSON to CDK, so the keys are CloudFormation's own spelling.
   */
  #throttleRoute(routeKey: string, throttle: { rateLimit: number; burstLimit: number }): void {
    const stage = this.stage.node.defaultChild as apigw.CfnStage;
    const current = (stage.routeSettings ?? {}) as Record<string, unknown>;
    stage.routeSettings = { ...current, [routeKey]: { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit } };
  }

  /** `https://{id}.execute-api.{region}.amazonaws.com`: the `$default` stage serves it at the root. */
  get url(): string {
    return this.api.apiEndpoint;
  }

  addRoute(spec: HttpRouteSpec, fn: ServiceFunction): void {
    let integration = this.#integrations.get(fn.spec.name);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${pascalCase(fn.spec.name)}Integration`, fn.function, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      });
      this.#integrations.set(fn.spec.name, integration);
    }
    const method = Object.values(apigw.HttpMethod).find((candidate) => candidate === spec.method);
    if (!method) throw new Error(`Route ${spec.routeKey}: ${spec.method} is not an HTTP API method`);
    const routes = this.api.addRoutes({
      path: spec.path,
      methods: [method],
      integration,
      authorizer: spec.auth === 'jwt' ? this.#authorizer : new apigw.HttpNoneAuthorizer(),
    });
    if (spec.auth === 'none') {
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${spec.routeKey} is public by contract (health, OpenAPI document, OAuth redirect, provider push, the operator console's static files or a public booking page): callers hold no token; the handler authenticates what it must (OAuth state, channel token, clientState, signature, manage token) and public booking routes are throttled per route and rate limited per client address.`,
        });
      }
    }
    if (spec.throttle) {
      this.#throttleRoute(spec.routeKey, spec.throttle);
      // CloudFormation refuses route settings for a route key that does not exist yet.
      for (const route of routes) this.stage.node.addDependency(route);
    }
    this.routes.set(spec.routeKey, { spec, routes });
  }
}
