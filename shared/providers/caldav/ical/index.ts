export * from './parse-calendar-resource.ts';
