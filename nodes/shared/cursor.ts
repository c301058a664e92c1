import type { IDataObject } from 'n8n-workflow';

import { SeenIds } from './seenIds';
import type { PagePosition } from './types';

const HOUR_MS = 3_600_000;
/**
 * The newest time a lead may claim, past the n8n host's clock, and still move the cursor: zone-less
 * local times of UTC+14 read as UTC plus a clock 6 hours fast stay below it. A later time (a vendor
 * bug, "2099-01-01") is emitted but never drags the cursor past every real lead.
 */
export const MAX_AHEAD_MS = 26 * HOUR_MS;

export interface RecheckProgress extends IDataObject {
	/** Where this recheck reads from, fixed until it is done so its pages stay valid. */
	fromMs: number;
	position: PagePosition;
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
 * (`highMs`, `floorMs`); host times (`recheckedAt`, `polledAt`) only schedule work.
 */
export interface ChatbotCursorState extends IDataObject {
	/** The newest lead time seen (vendor clock). Absent until the chatbot had a lead. */
	highMs?: number;
	/** Leads created before this are handled: they were there when the cursor began, or their ids were dropped. */
	floorMs: number;
	/** Ids of the leads seen within the recheck period (SeenIds' stored form). */
	seen: IDataObject;
	/** Host time the last complete recheck began. */
	recheckedAt?: number;
	/** A recheck that a short poll budget cut into parts: where the next part starts. */
	recheck?: RecheckProgress;
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
	/** By chatbot key (provider, provider parameters, chatbot id). */
	chatbots: Record<string, ChatbotCursorState>;
	/** Activation records (see activation.ts) this cursor has already taken over. */
	adopted?: string[];
	/** Chatbots: All — the vendor's list of chatbots, reused for a few minutes (ChatbotListCache in chatbots.ts). */
	chatbotList?: IDataObject;
	/** Chatbots: All — cursors of chatbots the vendor's list left out, by key, kept a while (poll.ts). */
	unlisted?: Record<string, UnlistedChatbot>;
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

function rechecks(windows: CursorWindows): boolean {
	return windows.recheckMs > windows.lookBackMs;
}

/**
 * How far back (from the newest lead) ids are kept and a recheck reads: the recheck period plus
 * the time until the next recheck and one look-back window, so a lead exactly the recheck period
 * late is still inside when that recheck comes.
 */
export function keptFor(windows: CursorWindows): number {
	const { lookBackMs, recheckMs, recheckEveryMs } = windows;
	return rechecks(windows) ? recheckMs + recheckEveryMs + lookBackMs : lookBackMs;
}

export interface SeenLead {
	id: string;
	createdAtMs: number;
}

export class ChatbotCursor {
	private constructor(
		readonly state: ChatbotCursorState,
		private readonly windows: CursorWindows,
		private readonly seen: SeenIds,
	) {}

	/** A cursor for which every lead created before `floorMs` counts as already there. */
	static fresh(floorMs: number, windows: CursorWindows): ChatbotCursor {
		return new ChatbotCursor({ floorMs, seen: {} }, windows, new SeenIds());
	}

	static restore(state: ChatbotCursorState, windows: CursorWindows): ChatbotCursor {
		return new ChatbotCursor(state, windows, SeenIds.restore(state.seen));
	}

	private keepMs(): number {
		return keptFor(this.windows);
	}

	private horizonFor(highMs: number | undefined): number {
		return highMs === undefined ? this.state.floorMs : Math.max(this.state.floorMs, highMs - this.keepMs());
	}

	/** Leads created before this are taken as handled; later ones are checked against the seen ids. */
	horizonMs(): number {
		return this.horizonFor(this.state.highMs);
	}

	/** Where a poll reads from: the look-back window, or (a first poll) the whole kept period. */
	scanFromMs(wholePeriod: boolean): number {
		if (wholePeriod || this.state.highMs === undefined) return this.horizonMs();
		return Math.max(this.state.floorMs, this.state.highMs - this.windows.lookBackMs);
	}

	isRecheckDue(hostNow: number): boolean {
		if (!rechecks(this.windows)) return false;
		if (this.state.recheck) return true;
		return this.state.recheckedAt === undefined || hostNow - this.state.recheckedAt >= this.windows.recheckEveryMs;
	}

	/** Where a recheck reads from (and on, for one in parts), over the whole kept period. */
	recheckStart(): { fromMs: number; position?: PagePosition } {
		return this.state.recheck ?? { fromMs: this.horizonMs() };
	}

	isNew(lead: SeenLead): boolean {
		return lead.createdAtMs >= this.horizonMs() && !this.seen.has(lead.id);
	}

	/** The state after a successful poll that saw `leads` (emitted or already known). */
	advance(
		leads: SeenLead[],
		hostNow: number,
		extras: {
			/** A recheck ran to the end ('done'), stopped part-way (where to go on), or did not run. */
			recheck: 'done' | RecheckProgress | undefined;
			largestPage?: number;
			resume?: ResumePoint;
			zoneWarning?: number;
		},
	): ChatbotCursorState {
		let high = this.state.highMs;
		for (const { createdAtMs } of leads) {
			if (createdAtMs <= hostNow + MAX_AHEAD_MS && (high === undefined || createdAtMs > high)) high = createdAtMs;
		}
		const horizon = this.horizonFor(high);
		for (const lead of leads) if (lead.createdAtMs >= horizon) this.seen.add(lead.id, lead.createdAtMs);
		this.seen.dropBefore(horizon);
		// Ids before the horizon are forgotten from here on, so that is the floor: a longer recheck
		// period set later must not bring back leads whose ids are gone.
		const state: ChatbotCursorState = { floorMs: horizon, seen: this.seen.toJSON(), polledAt: hostNow };
		if (high !== undefined) state.highMs = high;
		const recheckedAt = extras.recheck === 'done' ? hostNow : this.state.recheckedAt;
		if (recheckedAt !== undefined) state.recheckedAt = recheckedAt;
		if (extras.recheck !== undefined && extras.recheck !== 'done') state.recheck = extras.recheck;
		const zoneWarning = extras.zoneWarning ?? this.state.zoneWarning;
		if (zoneWarning !== undefined) state.zoneWarning = zoneWarning;
		if (extras.largestPage !== undefined) state.largestPage = extras.largestPage;
		if (extras.resume !== undefined) state.resume = extras.resume;
		return state;
	}
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
