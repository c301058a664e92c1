import type { IDataObject } from 'n8n-workflow';

import type { PagePosition } from '../../shared/vendors/types';
import { SeenIds } from './seenIds';

// What the trigger saves per chatbot (ChatbotCursorState) and for the whole trigger
// (LeadCursorState), and the reading of older saved forms.

/**
 * How many of the newest lead times the cursor keeps. It reads and forgets relative to the last
 * of them, so up to RECENT_KEPT - 1 leads dated in the future cannot hide the leads after them.
 */
export const RECENT_KEPT = 3;
export interface RecheckProgress extends IDataObject {
	/** Where this recheck reads from, fixed until it is done so its pages stay valid. */
	fromMs: number;
	position: PagePosition;
}

/** A scan that has not reached its end yet: a chatbot's start, or new ground a poll's budget cut short. */
export interface PendingScan extends IDataObject {
	/** Where it reads from, fixed until it is done so its pages stay valid; nothing from here on is forgotten meanwhile. */
	fromMs: number;
	/** Where the next part starts; absent: from the first page. */
	position?: PagePosition;
	/** A start: leads before this were already there (recorded, not emitted); EXISTING_ONLY: all are. Absent: all unseen are new. */
	emitFromMs?: number;
}

export interface ResumePoint extends IDataObject {
	/** The vendor query the position belongs to. */
	queryKey: string;
	position: PagePosition;
	/** The first lead on that page: if another lead is there now, the pages moved. */
	anchorId: string;
}

/**
 * One chatbot's cursor. Every time in it that a lead is compared with is the vendor's own
 * (`recentMs`, `floorMs`); host times (`recheckedAt`, `polledAt`) only schedule work.
 */
export interface ChatbotCursorState extends IDataObject {
	/** The newest lead time seen (vendor clock). Absent until the chatbot had a lead. */
	highMs?: number;
	/** The newest distinct lead times seen, newest first (at most RECENT_KEPT). */
	recentMs?: number[];
	/**
	 * The horizon as saved: leads created before it are handled (they were there when the cursor
	 * began, or their ids were dropped). The name is kept for cursors saved by earlier versions.
	 */
	floorMs: number;
	/** Ids of the leads seen within the recheck period (SeenIds' stored form). */
	seen: IDataObject;
	/** Fingerprints of leads without a readable time that were handled already. */
	untimed?: string;
	/** A scan still under way (see PendingScan). */
	pending?: PendingScan;
	/** Host time the last complete recheck began. */
	recheckedAt?: number;
	/** A recheck that a short poll budget cut into parts: where the next part starts. */
	recheck?: RecheckProgress;
	/** The last recheck read the whole period in one poll: old hours may be kept as digests (SeenIds). */
	wholeRechecks?: boolean;
	/** Host time of the last poll, to tell a shifted clock from a fresh lead. */
	polledAt?: number;
	/** Offset in hours the shifted-times warning was last logged for. */
	zoneWarning?: number;
	/** The largest page the server has returned: a shorter page then provably ends the list. */
	largestPage?: number;
	/** The last page of the previous poll, where the server's order makes resuming there safe. */
	resume?: ResumePoint;
}

/**
 * What the trigger keeps in workflow static data (`leadCursor`), always replaced whole: n8n only
 * saves static data when a property is assigned, not when a value inside it changes.
 */
export interface LeadCursorState extends IDataObject {
	version: 2;
	/** The workflow the cursor belongs to: a copy of it in another workflow starts anew. */
	workflowId?: string;
	/** Counts the polls that wrote it: of the node's state and its backup, the higher is the current one. */
	generation?: number;
	/** By chatbot key (provider, provider parameters, chatbot id). */
	chatbots: Record<string, ChatbotCursorState>;
	/**
	 * Vendor time from which a chatbot that joins later (created, listed or recovering after the
	 * start) emits its leads: the trigger's start, as the vendor's clock tells it.
	 */
	startMarkMs?: number;
	/** Chatbots whose last poll failed, by key: host time the failure spell began (reported once). */
	failing?: Record<string, number>;
	/** Chatbots: All — the vendor's list of chatbots, reused for a few minutes (ChatbotListCache in chatbots.ts). */
	chatbotList?: IDataObject;
	/** Cursors of chatbots no longer listed or selected, by key, so one that comes back goes on from there. */
	unlisted?: Record<string, UnlistedChatbot>;
	/** Activation records of an earlier 0.2.0 build taken over; read no more, dropped on the next save. */
	adopted?: string[];
}

/** A chatbot missing from the vendor's list: its cursor, and since when (host time) it is missing. */
export interface UnlistedChatbot extends IDataObject {
	since: number;
	state: ChatbotCursorState;
}

export interface CursorWindows {
	/** How late a lead may show up and still be caught by an ordinary poll. */
	lookBackMs: number;
	/** How late a lead may show up and still be caught by a recheck; 0: no rechecks. */
	recheckMs: number;
	/** How often (host time) a recheck runs. */
	recheckEveryMs: number;
}

export function rechecks(windows: CursorWindows): boolean {
	return windows.recheckMs > windows.lookBackMs;
}

/**
 * The horizon's distance behind the newest leads: how far back ids are kept and a recheck reads
 * (the horizon itself is this far before the anchor, never before `floorMs`): the recheck period plus
 * the time until the next recheck and one look-back window, so a lead exactly the recheck period
 * late is still inside when that recheck comes.
 */
export function horizonSpanMs(windows: CursorWindows): number {
	const { lookBackMs, recheckMs, recheckEveryMs } = windows;
	return rechecks(windows) ? recheckMs + recheckEveryMs + lookBackMs : lookBackMs;
}

/** The oldest of the RECENT_KEPT newest lead times; undefined while fewer are known (one of them could be future-dated). */
export function anchorOf(recent: number[] | undefined): number | undefined {
	return recent && recent.length >= RECENT_KEPT ? recent[RECENT_KEPT - 1] : undefined;
}

/**
 * A cursor cut down to what a copy of it needs (the trigger's position backup): the ids of the
 * look-back window before its newest leads. Leads older than that count as handled.
 */
export function compactCursor(state: ChatbotCursorState, windows: CursorWindows): ChatbotCursorState {
	const anchor = anchorOf(state.recentMs);
	if (state.pending || anchor === undefined) return state;
	const floorMs = Math.max(state.floorMs, anchor - windows.lookBackMs);
	const seen = SeenIds.restore(state.seen);
	seen.dropBefore(floorMs);
	const compact: ChatbotCursorState = { ...state, floorMs, seen: seen.toJSON() };
	delete compact.recheck;
	delete compact.resume;
	return compact;
}

interface CursorV1 {
	version: 1;
	key: string;
	newestMs: number;
	recent: IDataObject;
	largestPage?: number;
	resume?: ResumePoint;
}

/** A version-1 cursor (one chatbot, ids with times) as a v2 chatbot entry; nothing it handled comes back. */
function migrateV1(v1: CursorV1, lookBackMs: number): ChatbotCursorState {
	const seen = new SeenIds();
	let high: number | undefined;
	for (const [id, ms] of Object.entries(v1.recent ?? {})) {
		if (typeof ms !== 'number') continue;
		seen.add(id, ms);
		high = high === undefined ? ms : Math.max(high, ms);
	}
	// v1 treated everything before its window as handled, so that is where this cursor's floor is.
	const state: ChatbotCursorState = { floorMs: v1.newestMs - lookBackMs, seen: seen.toJSON() };
	if (high !== undefined) state.highMs = high;
	if (v1.largestPage !== undefined) state.largestPage = v1.largestPage;
	if (v1.resume !== undefined) state.resume = v1.resume;
	return state;
}

/** The saved cursor in the current form (older forms migrated), or undefined when there is none. */
export function readLeadCursor(saved: unknown, lookBackMs: number): LeadCursorState | undefined {
	const state = saved as { version?: unknown } | undefined;
	if (!state || typeof state !== 'object') return undefined;
	if (state.version === 2 && typeof (state as LeadCursorState).chatbots === 'object') return state as LeadCursorState;
	const v1 = state as CursorV1;
	if (v1.version === 1 && typeof v1.key === 'string' && typeof v1.newestMs === 'number') {
		return { version: 2, chatbots: { [v1.key]: migrateV1(v1, lookBackMs) } };
	}
	return undefined;
}
