import { createHash } from 'crypto';


import { fingerprint, SeenIds } from './seenIds';
import { anchorOf, horizonSpanMs, RECENT_KEPT, rechecks, type ChatbotCursorState, type CursorWindows, type PendingScan, type RecheckProgress, type ResumePoint } from './cursorState';
import type { PagePosition } from '../../shared/vendors/types';
import { HOUR_MS } from '../../shared/lead/time';

/**
 * The newest time a lead may claim, past the n8n host's clock, and still move the cursor: zone-less
 * local times of UTC+14 read as UTC plus a clock 6 hours fast stay below it. A later time (a vendor
 * bug, "2099-01-01") is emitted but never drags the cursor past every real lead.
 */
export const MAX_AHEAD_MS = 26 * HOUR_MS;
/** A starting scan that only records what exists: every lead it reads is taken as already there. */
export const EXISTING_ONLY = Number.MAX_SAFE_INTEGER;
/** Leads whose time could not be read, remembered by fingerprint (the newest this many). */
const UNTIMED_KEPT = 1000;
const PRINT_LENGTH = 11;

export interface SeenLead {
	id: string;
	createdAtMs: number;
}

/** A stable share of the recheck interval per chatbot, so chatbots that start together recheck apart. */
function recheckPhaseMs(key: string, everyMs: number): number {
	return createHash('sha256').update(key).digest().readUInt32BE(0) % Math.max(1, Math.floor(everyMs));
}

/** The newest distinct times of `times` and `previous` (future beyond MAX_AHEAD_MS left out). */
function newestTimes(previous: number[], times: number[], hostNow: number): number[] {
	const all = new Set(previous);
	for (const ms of times) if (ms <= hostNow + MAX_AHEAD_MS) all.add(ms);
	return [...all].sort((a, b) => b - a).slice(0, RECENT_KEPT);
}

export interface ScanOutcome {
	/** Where the scan began. */
	fromMs: number;
	/** Where the rest begins when the poll's budget cut it short; undefined: it reached its end. */
	stoppedAt?: PagePosition;
	/** The newest lead time it read, if any. */
	newestMs?: number;
}

export class ChatbotCursor {
	private readonly recent: number[];

	private constructor(
		readonly state: ChatbotCursorState,
		private readonly windows: CursorWindows,
		private readonly seen: SeenIds,
	) {
		// A cursor of an earlier build has only highMs: it reads from its floor once and learns the rest.
		this.recent = Array.isArray(state.recentMs) ? state.recentMs.filter((ms) => typeof ms === 'number') : [];
	}

	/**
	 * A chatbot's first cursor: its first scan reads from `fromMs`, recording the leads before
	 * `emitFromMs` as already there (EXISTING_ONLY: all of them) and emitting the rest.
	 */
	static start(fromMs: number, emitFromMs: number, windows: CursorWindows, key: string, hostNow: number): ChatbotCursor {
		const state: ChatbotCursorState = {
			floorMs: fromMs,
			seen: {},
			pending: { fromMs, emitFromMs },
			recheckedAt: hostNow - recheckPhaseMs(key, windows.recheckEveryMs),
		};
		return new ChatbotCursor(state, windows, new SeenIds());
	}

	static restore(state: ChatbotCursorState, windows: CursorWindows): ChatbotCursor {
		return new ChatbotCursor(state, windows, SeenIds.restore(state.seen));
	}

	private horizonFor(recent: number[], pending: PendingScan | undefined): number {
		const anchor = anchorOf(recent);
		const horizon = anchor === undefined ? this.state.floorMs : Math.max(this.state.floorMs, anchor - horizonSpanMs(this.windows));
		return Math.min(horizon, pending?.fromMs ?? Infinity);
	}

	/** Leads created before this are taken as handled; later ones are checked against the seen ids. */
	horizonMs(): number {
		return this.horizonFor(this.recent, this.state.pending);
	}

	/** Whether this poll only records what exists (the trigger's first poll, Only New Leads). */
	existingOnly(): boolean {
		return this.state.pending?.emitFromMs === EXISTING_ONLY;
	}

	/** Where this poll reads new ground: a pending scan goes on, else the look-back window before the newest leads. */
	scanStart(): { fromMs: number; continueAt?: PagePosition; resume?: ResumePoint } {
		const pending = this.state.pending;
		if (pending) return { fromMs: pending.fromMs, continueAt: pending.position };
		const anchor = anchorOf(this.recent);
		if (anchor === undefined) return { fromMs: this.state.floorMs, resume: this.state.resume };
		return { fromMs: Math.max(this.state.floorMs, anchor - this.windows.lookBackMs), resume: this.state.resume };
	}

	isRecheckDue(hostNow: number): boolean {
		if (!rechecks(this.windows) || this.state.pending) return false;
		if (this.state.recheck) return true;
		return this.state.recheckedAt === undefined || hostNow - this.state.recheckedAt >= this.windows.recheckEveryMs;
	}

	/** Where a recheck reads from (and on, for one in parts), over the whole kept period. */
	recheckStart(): { fromMs: number; position?: PagePosition } {
		return this.state.recheck ?? { fromMs: this.horizonMs() };
	}

	/**
	 * Whether a lead read now is to be emitted: unseen, not before the horizon, and not one that was
	 * already there at a start. Leads of digested hours are told apart by `reconcileDigests` instead.
	 */
	shouldEmit(lead: SeenLead): boolean {
		if (lead.createdAtMs < this.horizonMs() || this.seen.isDigested(lead.createdAtMs) || this.seen.has(lead.id)) return false;
		const emitFrom = this.state.pending?.emitFromMs;
		return emitFrom === undefined || lead.createdAtMs >= emitFrom;
	}

	/**
	 * After a recheck that read every lead from `fromMs` on in one go: the ids in digested hours
	 * not seen before, and the hours where too many changed to tell (their leads are all given, to
	 * emit once more rather than lose one).
	 */
	reconcileDigests(leads: SeenLead[], fromMs: number): { fresh: Set<string>; unknownHours: number[] } {
		const firstWhole = Math.ceil(fromMs / HOUR_MS);
		const byHour = new Map<number, string[]>();
		for (const hour of this.seen.digestHours()) if (hour >= firstWhole) byHour.set(hour, []);
		for (const lead of leads) {
			const hour = Math.floor(lead.createdAtMs / HOUR_MS);
			if (hour >= firstWhole && this.seen.isDigested(lead.createdAtMs)) byHour.set(hour, [...(byHour.get(hour) ?? []), lead.id]);
		}
		const fresh = new Set<string>();
		const unknownHours: number[] = [];
		for (const [hour, ids] of byHour) {
			const outcome = this.seen.reconcileHour(hour, ids);
			if (outcome === 'unknown') unknownHours.push(hour);
			for (const id of outcome === 'unknown' ? ids : outcome) fresh.add(id);
		}
		return { fresh, unknownHours };
	}

	/** Whether the cursor keeps some hours as digests: a recheck cut into parts cannot tell their new leads. */
	hasDigests(): boolean {
		return this.seen.digestHours().length > 0;
	}

	/** Whether a lead without a readable time is to be emitted (seen for the first time, outside a start). */
	shouldEmitUntimed(id: string): boolean {
		if (this.existingOnly()) return false;
		return !this.untimedPrints().includes(fingerprint(id));
	}

	private untimedPrints(): string[] {
		const stored = typeof this.state.untimed === 'string' ? this.state.untimed : '';
		const prints: string[] = [];
		for (let i = 0; i + PRINT_LENGTH <= stored.length; i += PRINT_LENGTH) prints.push(stored.slice(i, i + PRINT_LENGTH));
		return prints;
	}

	/** The pending scan after this poll's scan of new ground. */
	private nextPending(scan: ScanOutcome, hostNow: number): PendingScan | undefined {
		if (!scan.stoppedAt) return undefined;
		const previous = this.state.pending;
		let emitFromMs = previous?.emitFromMs;
		// A start that records existing leads and could not finish: what comes after the newest it
		// read may be new (newest-first servers: exactly that; oldest-first: at most MAX_AHEAD_MS of the past).
		if (emitFromMs === EXISTING_ONLY && scan.newestMs !== undefined) emitFromMs = Math.max(scan.newestMs, hostNow - MAX_AHEAD_MS);
		const pending: PendingScan = { fromMs: scan.fromMs, position: scan.stoppedAt };
		if (emitFromMs !== undefined) pending.emitFromMs = emitFromMs;
		return pending;
	}

	/** The state after a poll that saw `leads` (emitted or already known) and `untimedIds`. */
	advance(
		leads: SeenLead[],
		hostNow: number,
		extras: {
			scan: ScanOutcome;
			/** A recheck ran to the end ('done'), stopped part-way (where to go on), or did not run. */
			recheck: 'done' | RecheckProgress | undefined;
			/** Whether that recheck read the whole period in this one poll. */
			recheckWhole?: boolean;
			untimedIds?: string[];
			largestPage?: number;
			resume?: ResumePoint;
			zoneWarning?: number;
		},
	): ChatbotCursorState {
		const recent = newestTimes(this.recent, leads.map((lead) => lead.createdAtMs), hostNow);
		const pending = this.nextPending(extras.scan, hostNow);
		const horizon = this.horizonFor(recent, pending);
		for (const lead of leads) if (lead.createdAtMs >= horizon) this.seen.add(lead.id, lead.createdAtMs);
		this.seen.dropBefore(horizon);
		const wholeRechecks = extras.recheck === undefined ? this.state.wholeRechecks : extras.recheck === 'done' && extras.recheckWhole === true;
		const anchor = anchorOf(recent);
		// Whole hours no regular poll reads again (before the look-back window) become digests, once
		// rechecks have shown they read the whole period in one poll.
		if (wholeRechecks && rechecks(this.windows) && anchor !== undefined) {
			this.seen.digestBefore(Math.min(anchor - this.windows.lookBackMs, pending?.fromMs ?? Infinity));
		}
		// Ids before the horizon are forgotten from here on, so that is the floor: a longer recheck
		// period set later must not bring back leads whose ids are gone.
		const state: ChatbotCursorState = { floorMs: horizon, seen: this.seen.toJSON(), polledAt: hostNow };
		if (recent.length > 0) {
			state.highMs = Math.max(recent[0], this.state.highMs ?? -Infinity);
			state.recentMs = recent;
		}
		if (pending) state.pending = pending;
		const untimed = this.nextUntimed(extras.untimedIds ?? []);
		if (untimed) state.untimed = untimed;
		const recheckedAt = extras.recheck === 'done' ? hostNow : this.state.recheckedAt;
		if (recheckedAt !== undefined) state.recheckedAt = recheckedAt;
		const recheck = extras.recheck === undefined ? this.state.recheck : extras.recheck === 'done' ? undefined : extras.recheck;
		if (recheck && !pending) state.recheck = recheck;
		if (wholeRechecks) state.wholeRechecks = true;
		const zoneWarning = extras.zoneWarning ?? this.state.zoneWarning;
		if (zoneWarning !== undefined) state.zoneWarning = zoneWarning;
		const largestPage = extras.largestPage ?? this.state.largestPage;
		if (largestPage !== undefined) state.largestPage = largestPage;
		if (extras.resume !== undefined && !pending) state.resume = extras.resume;
		return state;
	}

	private nextUntimed(ids: string[]): string | undefined {
		const prints = this.untimedPrints();
		for (const id of ids) {
			const print = fingerprint(id);
			if (!prints.includes(print)) prints.push(print);
		}
		return prints.length === 0 ? undefined : prints.slice(-UNTIMED_KEPT).join('');
	}
}

