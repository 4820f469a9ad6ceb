export * from './calendar-recurrence-expander.ts';
export * from './expand-series.ts';
export * from './recurrence-lines.ts';
export * from './rule-iteration.ts';
export * from './zone-offsets.ts';
