import { systemClock, type Clock } from '../../ports/clock.ts';
import { runtimeOverrides } from './overrides.ts';

export function clock(): Clock {
  return runtimeOverrides.clock ?? systemClock;
}
