export * from './http.ts';
export * from './local-ses.ts';
export * from './slack-simulator.ts';
export * from './sns-simulator.ts';
export * from './whatsapp-simulator.ts';
