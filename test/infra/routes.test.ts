import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../infra/topology.ts';
import { TOPOLOGIES } from './support/extended-topology.ts';
import { referencedId, refersTo, resourcesOf, synthesize, type Resource } from './support/synth.ts';

const ISSUER = 'https://login.example.org/tenant-a/';
const AUDIENCE = 'api://calendar-integrations';

describe('the route contracts reach the topology', () => {
  it('has at least the public and the authenticated routes of shared/api', () => {
    expect(HTTP_ROUTES.some((route) => route.auth === 'jwt')).toBe(true);
    expect(HTTP_ROUTES.some((route) => route.auth === 'none')).toBe(true);
  });
});

describe.each(TOPOLOGIES)('HTTP API routes of the $name', ({ topology }) => {
  const { stack, template } = synthesize({ topology, context: { jwtIssuer: ISSUER, jwtAudience: AUDIENCE } });
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
  const [[authorizerId, authorizer]] = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resource]];

  it('configures one JWT authorizer with the issuer and audience from context', () => {
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: [AUDIENCE] },
    });
  });

  it('creates exactly the routes of the topology', () => {
    const routeKeys = routes.map(([, route]) => route.Properties!.RouteKey).sort();
    expect(routeKeys).toEqual(topology.httpRoutes.map((route) => route.routeKey).sort());
  });

  it.each(topology.httpRoutes.map((route) => [route.routeKey, route] as const))('%s: authorizer as declared, Lambda proxy 2.0 to its function', (_key, spec) => {
    const [, route] = routes.find(([, resource]) => resource.Properties!.RouteKey === spec.routeKey)!;
    const props = route.Properties!;
    if (spec.auth === 'jwt') {
      expect(props.AuthorizationType).toBe('JWT');
      expect(referencedId(props.AuthorizerId)).toBe(authorizerId);
    } else {
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
    }
    const integrationId = JSON.stringify(props.Target).match(/"Ref":"([A-Za-z0-9]+)"/)![1]!;
    const integration = resources[integrationId]!.Properties!;
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(refersTo(integration.IntegrationUri, idOf(stack.functions.get(spec.function)!.function))).toBe(true);
  });

  it('logs access to a log group and throttles the default stage', () => {
    const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const props = stage.Properties!;
    expect(props.StageName).toBe('$default');
    expect(resources[referencedId((props.AccessLogSettings as { DestinationArn: unknown }).DestinationArn)]!.Type).toBe('AWS::Logs::LogGroup');
    expect((props.AccessLogSettings as { Format: string }).Format).toContain('$context.requestId');
    expect(props.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) });
  });
});

describe('the public booking routes (scheduling.md §2 "Public")', () => {
  const { stack, template } = synthesize({ context: { jwtIssuer: ISSUER, jwtAudience: AUDIENCE } });
  // Every /v1/public/ route is throttled; the booking pages are api-public's, the unsubscribe link api-notifications'.
  const publicRoutes = HTTP_ROUTES.filter((route) => route.path.startsWith('/v1/public/'));
  const bookingPages = publicRoutes.filter((route) => !route.path.startsWith('/v1/public/unsubscribe'));
  const [[, stage]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
  const routeSettings = (stage.Properties!.RouteSettings ?? {}) as Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }>;
  const defaults = stage.Properties!.DefaultRouteSettings as { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };

  it('are the six routes of the contract, all served by api-public without the JWT authorizer', () => {
    expect(bookingPages.map((route) => route.routeKey).sort()).toEqual(
      [
        'GET /v1/public/booking-types/{publicId}',
        'GET /v1/public/booking-types/{publicId}/slots',
        'POST /v1/public/booking-types/{publicId}/bookings',
        'GET /v1/public/bookings/{id}',
        'POST /v1/public/bookings/{id}/reschedule',
        'POST /v1/public/bookings/{id}/cancel',
      ].sort(),
    );
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    expect(publicRoutes.filter((route) => !bookingPages.includes(route)).map((route) => `${route.routeKey} ${route.function} ${route.auth}`).sort()).toEqual([
      'GET /v1/public/unsubscribe api-notifications none',
      'POST /v1/public/unsubscribe api-notifications none',
    ]);
    for (const spec of bookingPages) {
      expect(spec.function).toBe('api-public');
      const [, route] = routes.find(([, resource]) => resource.Properties!.RouteKey === spec.routeKey)!;
      expect(route.Properties!.AuthorizationType).toBe('NONE');
      expect(route.Properties!.AuthorizerId).toBeUndefined();
    }
  });

  it('are throttled per route on the stage, tighter than the stage default, and only they are', () => {
    expect(Object.keys(routeSettings).sort()).toEqual(publicRoutes.map((route) => route.routeKey).sort());
    for (const spec of publicRoutes) {
      const settings = routeSettings[spec.routeKey]!;
      expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(settings.ThrottlingBurstLimit).toBeGreaterThan(0);
      expect(settings.ThrottlingRateLimit!).toBeLessThan(defaults.ThrottlingRateLimit);
      expect(settings.ThrottlingBurstLimit!).toBeLessThan(defaults.ThrottlingBurstLimit);
    }
  });

  it('deploys the stage after those routes (CloudFormation refuses settings for a route key not yet made)', () => {
    const stageId = stack.getLogicalId(stack.httpApi.stage.node.defaultChild as CfnResource);
    const dependsOn = (template.toJSON().Resources as Record<string, { DependsOn?: string[] }>)[stageId]!.DependsOn ?? [];
    const routeIds = resourcesOf(template, 'AWS::ApiGatewayV2::Route').filter(([, route]) => publicRoutes.some((spec) => spec.routeKey === route.Properties!.RouteKey)).map(([id]) => id);
    for (const id of routeIds) expect(dependsOn).toContain(id);
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('is the API’s own execute-api URL by default (no dependency cycle)', () => {
    const { stack, template } = synthesize();
    const apiId = stack.getLogicalId(stack.httpApi.api.node.defaultChild as CfnResource);
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const variables = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.PUBLIC_BASE_URL).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    }
  });

  it('is the publicBaseUrl context value when a custom domain is used', () => {
    const { template } = synthesize({ context: { publicBaseUrl: 'https://calendar.example.org/' } });
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.PUBLIC_BASE_URL).toBe('https://calendar.example.org');
    }
  });

  it('rejects a non-https public base URL at synth time', () => {
    expect(() => synthesize({ context: { publicBaseUrl: 'http://calendar.example.org' } })).toThrow(/https/);
  });
});
