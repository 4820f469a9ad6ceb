import type { BusyColumns } from './busy-intervals.ts';
import { ForwardMembership, coveredByAtLeast, intersectSets, spanSet, startSet, unionSets } from './interval-set.ts';
import type { SlotGrid } from './slot-grid.ts';

export type SlotMode = 'collective' | 'round_robin';

/**
 * One participant of a slot search, with the time it is available as a set (working hours minus busy time
 * widened by the buffers, minus time whose busy state is unknown).
 * - `person`: `required` ones decide the slots (collective: all of them free; round robin: any one), the
 *   others are only reported when free.
 * - `group`: "`need` of these members" (one of these rooms; `need` = members.length for all of them); a
 *   group must be satisfied in both modes.
 */
export type SlotParticipant =
  | { kind: 'person'; available: BusyColumns; required: boolean }
  | { kind: 'group'; members: readonly BusyColumns[]; need: number };

export interface SlotSearch {
  participants: readonly SlotParticipant[];
  mode: SlotMode;
  durationMs: number;
  /** Earliest start (the range start, or now + minimum notice when later). */
  fromMs: number;
  /** Latest end (the range end). */
  toMs: number;
  grid: SlotGrid;
  maxResults: number;
}

export interface FoundSlot {
  startMs: number;
  endMs: number;
  /** Indexes of the participants free for the slot. */
  participants: number[];
  /** For each group free for it (by participant index): the indexes of its free members. */
  members: Map<number, number[]> | null;
}

/**
 * Slots of `durationMs` on the grid, in time order, at most `maxResults`. All set work happens on start
 * sets (where a meeting may start so it fits a participant's availability), so collective is one
 * intersection, round robin one union and "n of these rooms" one coverage sweep; per slot only the
 * reported participants are looked up, each with a cursor that moves forward.
 */
export function searchSlots(search: SlotSearch): FoundSlot[] {
  const { participants, durationMs } = search;
  const starts = participants.map((participant) =>
    participant.kind === 'person' ? startSet(participant.available, durationMs) : null,
  );
  const memberStarts = participants.map((participant) =>
    participant.kind === 'group' ? participant.members.map((member) => startSet(member, durationMs)) : null,
  );
  const groupStarts = memberStarts.map((members, index) =>
    members ? coveredByAtLeast(members, Math.min((participants[index] as { need: number }).need, members.length)) : null,
  );

  let feasible: BusyColumns = spanSet(search.fromMs, search.toMs - durationMs + 1);
  const required = starts.filter((set, index): set is BusyColumns => set !== null && (participants[index] as { required: boolean }).required);
  if (search.mode === 'collective') for (const set of required) feasible = intersectSets(feasible, set);
  else if (required.length > 0) feasible = intersectSets(feasible, unionSets(required));
  for (const set of groupStarts) if (set) feasible = intersectSets(feasible, set);

  const personFree = starts.map((set) => (set ? new ForwardMembership(set) : null));
  const memberFree = memberStarts.map((members) => (members ? members.map((set) => new ForwardMembership(set)) : null));
  const found: FoundSlot[] = [];
  for (let i = 0; i < feasible.length && found.length < search.maxResults; i++) {
    const end = feasible.ends[i]!;
    for (let t = search.grid.ceil(feasible.starts[i]!); t < end && found.length < search.maxResults; t = search.grid.ceil(t + 1)) {
      const free: number[] = [];
      let members: Map<number, number[]> | null = null;
      for (let p = 0; p < participants.length; p++) {
        const person = personFree[p];
        if (person) {
          if (person.has(t)) free.push(p);
          continue;
        }
        const freeMembers: number[] = [];
        memberFree[p]!.forEach((member, m) => {
          if (member.has(t)) freeMembers.push(m);
        });
        free.push(p);
        (members ??= new Map()).set(p, freeMembers);
      }
      found.push({ startMs: t, endMs: t + durationMs, participants: free, members });
    }
  }
  return found;
}
