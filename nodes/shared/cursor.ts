import type { IDataObject } from 'n8n-workflow';

import type { PagePosition } from './types';

/**
 * What the trigger keeps in workflow static data (`leadCursor`), always replaced whole: n8n only
 * saves static data when a property is assigned, not when a value inside it changes.
 */
export interface LeadCursorState extends IDataObject {
	version: 1;
	/** provider, project and chatbot: another chatbot starts a new cursor. */
	key: string;
	/** Watermark: the newest createdAt seen (epoch ms), never ahead of the clock at that poll. */
	newestMs: number;
	/** Leads inside the look-back window, id -> createdAt (epoch ms). Nothing older is kept. */
	recent: IDataObject;
	/** The largest page the server has returned: a shorter page then provably ends the list. */
	largestPage?: number;
	/** The last page of the previous poll, where the server's order makes resuming there safe. */
	resume?: ResumePoint;
}

export interface ResumePoint extends IDataObject {
	/** The vendor query the position belongs to. */
	queryKey: string;
	position: PagePosition;
	/** The first lead on that page: if another lead is there now, the pages moved. */
	anchorId: string;
}

export class LeadCursor {
	private constructor(
		readonly state: LeadCursorState,
		readonly lookBackMs: number,
	) {}

	static start(key: string, fromMs: number, lookBackMs: number): LeadCursor {
		return new LeadCursor({ version: 1, key, newestMs: fromMs + lookBackMs, recent: {} }, lookBackMs);
	}

	/** The saved cursor, or undefined if there is none or it belongs to another chatbot. */
	static restore(saved: unknown, key: string, lookBackMs: number): LeadCursor | undefined {
		const state = saved as LeadCursorState | undefined;
		if (!state || state.version !== 1 || state.key !== key || typeof state.newestMs !== 'number') return undefined;
		return new LeadCursor(state, lookBackMs);
	}

	/** Leads created before this are taken as handled; later ones are checked against `recent`. */
	windowStartMs(): number {
		return this.state.newestMs - this.lookBackMs;
	}

	isNew(id: string, createdAtMs: number): boolean {
		return createdAtMs >= this.windowStartMs() && this.state.recent[id] === undefined;
	}

	/** The state after a successful poll that saw `leads` (emitted or already known). */
	advance(
		leads: Array<{ id: string; createdAtMs: number }>,
		nowMs: number,
		extras: Pick<LeadCursorState, 'largestPage' | 'resume'>,
	): LeadCursorState {
		let newest = this.state.newestMs;
		for (const { createdAtMs } of leads) newest = Math.max(newest, Math.min(createdAtMs, nowMs));
		const windowStart = newest - this.lookBackMs;
		const recent: IDataObject = {};
		const keep = (id: string, ms: number) => {
			if (ms >= windowStart) recent[id] = ms;
		};
		for (const [id, ms] of Object.entries(this.state.recent)) keep(id, ms as number);
		for (const { id, createdAtMs } of leads) keep(id, createdAtMs);
		const state: LeadCursorState = { version: 1, key: this.state.key, newestMs: newest, recent };
		if (extras.largestPage !== undefined) state.largestPage = extras.largestPage;
		if (extras.resume !== undefined) state.resume = extras.resume;
		return state;
	}
}
