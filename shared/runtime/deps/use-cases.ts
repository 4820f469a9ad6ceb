import type { DisconnectDeps } from '../../use-cases/disconnect-connection.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { eventPublisher } from './messaging.ts';
import { calendarProviders } from './providers.ts';
import { calendarStore, connectionStore, eventStore, pushChannelIndex } from './storage.ts';

/** Dependencies of each use-case, assembled from the per-process adapters. */
export function disconnectDeps(): DisconnectDeps {
  return {
    connections: connectionStore(),
    calendars: calendarStore(),
    events: eventStore(),
    pushChannels: pushChannelIndex(),
    providers: calendarProviders(),
    publisher: eventPublisher(),
    clock: clock(),
    log: logger,
  };
}
