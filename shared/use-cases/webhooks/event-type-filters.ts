import { inputError } from '../../domain/app-error.ts';
import { unknownEventTypeFilter } from '../../domain/webhook-routing.ts';

/**
 * An endpoint's filters, checked and de-duplicated: each must be `*`, a known event type, or a prefix that
 * matches a known type (a typo would otherwise silently receive nothing). Reported on the offending item.
 */
export function checkedEventTypes(filters: readonly string[], field: string): string[] {
  filters.forEach((filter, index) => {
    const problem = unknownEventTypeFilter(filter);
    if (problem) throw inputError(`${field}[${index}]`, `${field}[${index}]: ${problem}`);
  });
  return [...new Set(filters)];
}
