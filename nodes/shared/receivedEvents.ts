import type { IDataObject } from 'n8n-workflow';

/** Chatzuri retries a delivery for up to 24 hours: a redelivery within that time is not emitted again. */
export const REDELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The most event ids kept, so the stored state stays small however busy a chatbot is. */
export const MAX_REMEMBERED_EVENTS = 5000;

/**
 * What the Instant Trigger keeps in the node's static data (`receivedEvents`): the ids of the
 * events it emitted in the last 24 hours, with when each first arrived (epoch ms). Always
 * replaced whole, as n8n only notices assignments.
 */
export interface ReceivedEventsState extends IDataObject {
	version: 1;
	ids: IDataObject;
}

/** The remembered ids still inside the window, oldest first. */
function liveEntries(saved: unknown, nowMs: number): Array<[string, number]> {
	const state = saved as ReceivedEventsState | undefined;
	if (!state || state.version !== 1 || typeof state.ids !== 'object' || state.ids === null) return [];
	const entries: Array<[string, number]> = [];
	for (const [id, at] of Object.entries(state.ids)) {
		if (typeof at === 'number' && nowMs - at < REDELIVERY_WINDOW_MS) entries.push([id, at]);
	}
	return entries.sort((a, b) => a[1] - b[1]);
}

/** Whether the saved state says this event was emitted within the last 24 hours. */
export function wasReceived(saved: unknown, id: string, nowMs: number): boolean {
	return liveEntries(saved, nowMs).some(([known]) => known === id);
}

/** The state after emitting `id`: expired ids dropped, and the oldest beyond the cap. */
export function rememberEvent(saved: unknown, id: string, nowMs: number): ReceivedEventsState {
	const kept = liveEntries(saved, nowMs).filter(([known]) => known !== id);
	const ids: IDataObject = {};
	for (const [known, at] of kept.slice(Math.max(0, kept.length - (MAX_REMEMBERED_EVENTS - 1)))) ids[known] = at;
	ids[id] = nowMs;
	return { version: 1, ids };
}

/**
 * Events this n8n process is handing to an execution right now. n8n loads a workflow's static
 * data from the database for every webhook request and writes it back only after answering, so
 * a copy that arrives meanwhile cannot see the first copy in static data. A claim lasts long
 * enough to cover that gap; it is per process (n8n offers nodes nothing shared across processes).
 */
const CLAIM_TTL_MS = 60_000;
const MAX_CLAIMS = 10_000;
const claims = new Map<string, number>();

/** Claims `key` for CLAIM_TTL_MS; false while another request of this process holds it. */
export function claimEvent(key: string, nowMs: number): boolean {
	// Claims are kept in the order they were made, so the expired ones are at the front.
	for (const [held, expiresAt] of claims) {
		if (expiresAt > nowMs && claims.size < MAX_CLAIMS) break;
		claims.delete(held);
	}
	const expiresAt = claims.get(key);
	if (expiresAt !== undefined && expiresAt > nowMs) return false;
	claims.delete(key);
	claims.set(key, nowMs + CLAIM_TTL_MS);
	return true;
}
