export { startGraphSimulator, GraphSimulator, type GraphSimulatorOptions, type ExpireDeltaTokensOptions } from './graph-simulator.ts';
export { ensureSimulatorCa, trustSimulatorCa, type SimulatorCa } from './tls.ts';
export type { FailRule, LatencyRule, LimiterOptions } from './faults.ts';
export type { DeliveryLogEntry, DeliveryMode } from './notifier.ts';
export type { LifecycleEvent } from './subscriptions.ts';
export type { DeltaExpiryCode } from './delta.ts';
export type { RequestLogEntry } from './dispatcher.ts';
export type { GraphEvent, GraphEventInput, SimCalendar, SimUser } from './model.ts';
export type { NewUser } from './mailbox-store.ts';
