import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../logger.ts';

/**
 * One access-log line per request (method, route, status, latency, request id). Headers, query values and
 * bodies are never logged: they may carry tokens or OAuth codes.
 */
export function requestLogging(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> {
  const startedAt = new WeakMap<object, number>();
  const logLine = (request: { event: APIGatewayProxyEventV2; response: APIGatewayProxyStructuredResultV2 | null | undefined }): void => {
    const began = startedAt.get(request.event) ?? Date.now();
    logger.info('http request', {
      method: request.event.requestContext?.http?.method,
      route: request.event.routeKey,
      status: request.response?.statusCode,
      latencyMs: Date.now() - began,
    });
  };
  return {
    before: (request) => {
      startedAt.set(request.event, Date.now());
      logger.addContext(request.context);
      logger.appendKeys({ requestId: request.event.requestContext?.requestId ?? request.context.awsRequestId });
    },
    after: (request) => {
      logLine(request);
      logger.removeKeys(['requestId']);
    },
    onError: (request) => {
      if (request.response) logLine(request);
      logger.removeKeys(['requestId']);
    },
  };
}
