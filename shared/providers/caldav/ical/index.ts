export * from './parse-calendar-resource.ts';
export * from './serialize-calendar-resource.ts';
