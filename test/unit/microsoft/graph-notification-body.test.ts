import { describe, expect, it } from 'vitest';
import { graphValidationToken, MAX_GRAPH_NOTIFICATIONS_PER_REQUEST, parseGraphNotificationBody } from '../../../shared/use-cases/push/handle-graph-notification.ts';

describe('Graph notification wire format', () => {
  it('form-decodes the validation token from the raw query string', () => {
    expect(graphValidationToken('validationToken=Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+b6a8e2e1-0e02-4e4b-a9c6-0c4c8f2f7f1e'))
      .toBe('Validation: Testing client application reachability for subscription Request-Id: b6a8e2e1-0e02-4e4b-a9c6-0c4c8f2f7f1e');
    expect(graphValidationToken('a=1&validationToken=x%2By%20z')).toBe('x+y z');
    expect(graphValidationToken('validationToken=')).toBe('');
    expect(graphValidationToken('other=1')).toBeNull();
    expect(graphValidationToken(undefined)).toBeNull();
  });

  it('reads change and lifecycle notifications and refuses anything else', () => {
    const change = {
      value: [{
        subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
        subscriptionExpirationDateTime: '2026-11-26T18:23:45.9356913Z',
        changeType: 'updated',
        resource: 'Users/{id}/Events/{id}',
        resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': 'Users/{id}/Events/{id}', '@odata.etag': 'W/"x"', id: 'AAMk=' },
        clientState: 'secretClientValue',
        tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
      }],
    };
    expect(parseGraphNotificationBody(JSON.stringify(change))).toEqual([expect.objectContaining({ subscriptionId: change.value[0]!.subscriptionId, clientState: 'secretClientValue', changeType: 'updated' })]);
    expect(parseGraphNotificationBody(JSON.stringify({ value: [{ subscriptionId: 's', lifecycleEvent: 'missed', clientState: null }] }))).toEqual([expect.objectContaining({ lifecycleEvent: 'missed', clientState: null })]);
    for (const bad of ['', 'not json', '{"value":"nope"}', '{"value":[{"clientState":"x"}]}', '[]', 'null', JSON.stringify({ value: Array.from({ length: MAX_GRAPH_NOTIFICATIONS_PER_REQUEST + 1 }, () => ({ subscriptionId: 's' })) })]) {
      expect(parseGraphNotificationBody(bad), bad.slice(0, 30)).toBeNull();
    }
  });
});
