import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../infra/local/http-server.ts';
import { HTTP_ROUTES } from '../../../infra/topology.ts';

describe('local router (API Gateway route selection)', () => {
  const reversed = () => [...HTTP_ROUTES].reverse();
  const routed = (method: string, path: string) => {
    const found = matchRoute(HTTP_ROUTES, method, path);
    return found && { path: found.route.path, function: found.route.function, params: found.params };
  };

  it('prefers a literal segment over a {parameter}, whatever the order of the routes', () => {
    expect(routed('POST', '/v1/connections/zoom/authorize')).toEqual({ path: '/v1/connections/zoom/authorize', function: 'api-video', params: {} });
    expect(routed('POST', '/v1/connections/google/authorize')).toEqual({ path: '/v1/connections/{provider}/authorize', function: 'api-oauth', params: { provider: 'google' } });
    expect(routed('GET', '/v1/oauth/zoom/callback')?.function).toBe('api-video');
    expect(routed('GET', '/v1/oauth/microsoft/callback')?.function).toBe('api-oauth');
    expect(routed('POST', '/v1/connections/zoom')?.function).toBe('api-video');
    // The Zoom list is not GET /v1/connections/{id} with id "zoom"; its delete is not the calendar one.
    expect(routed('GET', '/v1/connections/zoom')).toEqual({ path: '/v1/connections/zoom', function: 'api-video', params: {} });
    expect(matchRoute(reversed(), 'GET', '/v1/connections/zoom')?.route.function).toBe('api-video');
    expect(routed('DELETE', '/v1/connections/zoom/vcn_0123456789ABCDEFGHJKMNPQRS')).toEqual({ path: '/v1/connections/zoom/{id}', function: 'api-video', params: { id: 'vcn_0123456789ABCDEFGHJKMNPQRS' } });
    expect(routed('POST', '/v1/connections/caldav')?.function).toBe('api-connections');
    expect(matchRoute(reversed(), 'POST', '/v1/connections/zoom/authorize')?.route.function).toBe('api-video');
    expect(matchRoute(reversed(), 'POST', '/v1/connections/microsoft/authorize')?.route.function).toBe('api-oauth');
  });

  it('still matches parameters, and nothing for an unknown path or method', () => {
    expect(routed('GET', '/v1/connections/zoom/vcn_0123456789ABCDEFGHJKMNPQRS')).toEqual({ path: '/v1/connections/zoom/{id}', function: 'api-video', params: { id: 'vcn_0123456789ABCDEFGHJKMNPQRS' } });
    expect(routed('GET', '/v1/connections/con_0123456789ABCDEFGHJKMNPQRS')?.path).toBe('/v1/connections/{id}');
    expect(routed('POST', '/hooks/zoom')?.function).toBe('push-zoom');
    expect(routed('GET', '/hooks/zoom')).toBeNull();
    expect(routed('GET', '/v1/nothing-here')).toBeNull();
  });
});
