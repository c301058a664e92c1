import type { IDataObject } from 'n8n-workflow';

import { DAY_MS } from '../shared/lead/time';

/** Chatzuri retries a delivery for up to 24 hours: a redelivery within that time is not emitted again. */
export const REDELIVERY_WINDOW_MS = DAY_MS;
/** The most event ids kept per trigger, so the state stays small however busy a chatbot is. */
export const MAX_REMEMBERED_EVENTS = 5000;
/**
 * How long an event handed to an execution by this process, whose execution has not started
 * yet, holds off copies (409) before it counts as lost (the execution never started) and a
 * copy may start one.
 */
export const HANDOVER_TTL_MS = 60_000;

/**
 * What the Instant Trigger keeps in the node's static data (`receivedEvents`): the ids of the
 * events it emitted in the last 24 hours, with when each first arrived (epoch ms). Always
 * replaced whole, as n8n only notices assignments.
 */
export interface ReceivedEventsState extends IDataObject {
	version: 1;
	ids: IDataObject;
}

type Entry = [id: string, atMs: number];

/** The remembered ids still inside the window. */
function savedEntries(saved: unknown, nowMs: number): Entry[] {
	const state = saved as ReceivedEventsState | undefined;
	if (!state || state.version !== 1 || typeof state.ids !== 'object' || state.ids === null) return [];
	const entries: Entry[] = [];
	for (const [id, at] of Object.entries(state.ids)) {
		if (typeof at === 'number' && nowMs - at < REDELIVERY_WINDOW_MS) entries.push([id, at]);
	}
	return entries;
}

/** The saved state plus `entries`: expired ids dropped, and the oldest beyond the cap. */
export function rememberEvents(saved: unknown, entries: Entry[], nowMs: number): ReceivedEventsState {
	const firstSeen = new Map<string, number>();
	for (const [id, at] of [...savedEntries(saved, nowMs), ...entries]) {
		if (nowMs - at < REDELIVERY_WINDOW_MS) firstSeen.set(id, Math.min(at, firstSeen.get(id) ?? at));
	}
	const kept = [...firstSeen].sort((a, b) => a[1] - b[1]).slice(-MAX_REMEMBERED_EVENTS);
	const ids: IDataObject = {};
	for (const [id, at] of kept) ids[id] = at;
	return { version: 1, ids };
}

/**
 * Events this n8n process handed to executions, per trigger (`workflowId:nodeId`), in the order
 * handed. n8n answers a webhook before it saves static data, and 2.41 drops a webhook's static
 * data change altogether once the workflow has static data (see docs/instant-trigger.md, "Delivered once"), so
 * the saved state lags; this covers that gap within one process. `started` is set when the
 * execution's first node ran here (node `execute`), which proves the execution exists.
 */
interface Handover {
	atMs: number;
	started: boolean;
}
const handovers = new Map<string, Map<string, Handover>>();

function handoversOf(trigger: string, nowMs: number): Map<string, Handover> {
	let events = handovers.get(trigger);
	if (!events) {
		events = new Map();
		handovers.set(trigger, events);
	}
	// Oldest first: drop what expired, and the oldest beyond the cap.
	for (const [id, handover] of events) {
		if (nowMs - handover.atMs < REDELIVERY_WINDOW_MS && events.size <= MAX_REMEMBERED_EVENTS) break;
		events.delete(id);
	}
	return events;
}

export type Verdict = 'new' | 'received' | 'inFlight';

/**
 * What to do with an event: `received` if the saved state or this process knows it was emitted;
 * `inFlight` if this process handed it to an execution that has not started yet, less than
 * HANDOVER_TTL_MS ago; otherwise `new`.
 */
export function verdictFor(saved: unknown, trigger: string, id: string, nowMs: number): Verdict {
	if (savedEntries(saved, nowMs).some(([known]) => known === id)) return 'received';
	const handover = handoversOf(trigger, nowMs).get(id);
	if (!handover) return 'new';
	if (handover.started) return 'received';
	return nowMs - handover.atMs < HANDOVER_TTL_MS ? 'inFlight' : 'new';
}

/** Records that this process handed the event to an execution (not started yet). */
export function recordHandover(trigger: string, id: string, nowMs: number): void {
	const events = handoversOf(trigger, nowMs);
	events.delete(id);
	events.set(id, { atMs: nowMs, started: false });
}

/**
 * Records that executions started for these events (their first node ran in this process), and
 * returns every event this process knows started for the trigger, for the saved state.
 */
export function recordStarted(trigger: string, ids: string[], nowMs: number): Entry[] {
	const events = handoversOf(trigger, nowMs);
	for (const id of ids) {
		const handover = events.get(id);
		if (handover) handover.started = true;
		else events.set(id, { atMs: nowMs, started: true });
	}
	const started: Entry[] = [];
	for (const [id, handover] of events) if (handover.started) started.push([id, handover.atMs]);
	return started;
}
