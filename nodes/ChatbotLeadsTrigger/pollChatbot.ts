import type { IPollFunctions } from 'n8n-workflow';

import { ChatbotCursor } from './state/cursor';
import { horizonSpanMs, type ChatbotCursorState, type CursorWindows, type RecheckProgress } from './state/cursorState';
import { firstOfEachId, type TimedLead } from '../shared/lead/normalize';
import { settle } from '../shared/transport/pool';
import { scanLeadsSince, type ScanOptions, type ScanResult } from './scan';
import type { VendorClient } from '../shared/transport/request';
import type { LeadQuery } from '../shared/lead/types';
import { shiftedTimesWarning } from './zoneWarning';

/** What one chatbot's poll needs of the trigger's settings. */
export interface ChatbotPollSettings {
	windows: CursorWindows;
	maxPages: number;
	includeRaw: boolean;
	/** Host time after which no new page of new ground is started (the rest goes on at the next poll). */
	scanUntilMs?: number;
	/** Host time after which a recheck stops for this poll and goes on at the next. */
	recheckUntilMs?: number;
}

type RecheckRead = Awaited<ReturnType<typeof recheckPart>>;

export interface ChatbotPoll {
	state: ChatbotCursorState;
	emit: TimedLead[];
}

function scanOptions(settings: ChatbotPollSettings, cursor: ChatbotCursor, serverLargestPage: number): ScanOptions {
	return {
		maxPages: settings.maxPages,
		includeRaw: settings.includeRaw,
		// The page cap is the server's, so any chatbot's largest page tells a quiet one's short page is its last.
		largestPage: Math.max(cursor.state.largestPage ?? 0, serverLargestPage) || undefined,
	};
}

/**
 * A stored page or token the vendor refused: the scan read again from the start of its window.
 * Cut short again by the budget, it may never get past where it stopped: say what to change.
 */
function warnRestarted(ctx: IPollFunctions, client: VendorClient, query: LeadQuery, scan: ScanResult): void {
	if (scan.restartedBecause === undefined) return;
	const what = `Chatbot Leads Trigger: ${client.provider.displayName} refused the page saved for chatbot "${query.chatbotId}" by the previous poll (${scan.restartedBecause}), so its leads were read again from the start of the window`;
	if (scan.stoppedAt === undefined) ctx.logger.warn(`${what}; none is lost or emitted twice.`);
	else
		ctx.logger.warn(
			`${what}, and the poll's time ran out again before the end. If this repeats, older leads of this backlog stay out of reach: its page tokens expire between polls. Poll more often or raise the poll time limit (N8N_SCHEDULER_POLL_TIMEOUT).`,
		);
}

/** A due recheck: the whole kept period, in parts across polls when the poll budget is short. */
async function recheckPart(ctx: IPollFunctions, client: VendorClient, settings: ChatbotPollSettings, query: LeadQuery, cursor: ChatbotCursor, options: ScanOptions) {
	const { fromMs, position } = cursor.recheckStart();
	const scan = await scanLeadsSince(client, query, fromMs, { ...options, continueAt: position, stopAfterMs: settings.recheckUntilMs });
	warnRestarted(ctx, client, query, scan);
	const progress: 'done' | RecheckProgress = scan.stoppedAt ? { fromMs, position: scan.stoppedAt } : 'done';
	// A part refused at its stored page read the period again from its start: that is whole too.
	const fromStart = position === undefined || scan.restartedBecause !== undefined;
	return { leads: scan.leads, untimed: scan.untimed, progress, fromMs, whole: progress === 'done' && fromStart };
}

/** The recheck, when due and time is left; one that fails is logged and tried again later, never holding back new leads. */
async function recheckIfDue(
	ctx: IPollFunctions,
	client: VendorClient,
	settings: ChatbotPollSettings,
	query: LeadQuery,
	cursor: ChatbotCursor,
	options: ScanOptions,
	hostNow: number,
) {
	if (!cursor.isRecheckDue(hostNow)) return undefined;
	if (settings.recheckUntilMs !== undefined && Date.now() >= settings.recheckUntilMs) return undefined;
	const outcome = await settle(async () => await recheckPart(ctx, client, settings, query, cursor, options));
	if ('value' in outcome) return outcome.value;
	const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
	ctx.logger.warn(`Chatbot Leads Trigger: the recheck for late leads of chatbot "${query.chatbotId}" failed and is tried again at the next poll: ${reason}`);
	return undefined;
}

function newestOf(leads: TimedLead[]): number | undefined {
	let newest: number | undefined;
	for (const { createdAtMs } of leads) if (newest === undefined || createdAtMs > newest) newest = createdAtMs;
	return newest;
}

/**
 * The late leads of hours kept as digests, which only a recheck that read the whole period in one
 * poll can tell; a recheck cut into parts cannot, and says so.
 */
function lateFromDigests(ctx: IPollFunctions, query: LeadQuery, cursor: ChatbotCursor, recheck: RecheckRead | undefined): Set<string> {
	if (!recheck || !cursor.hasDigests()) return new Set();
	if (!recheck.whole) {
		if (recheck.progress !== 'done') {
			ctx.logger.warn(
				`Chatbot Leads Trigger: the recheck of chatbot "${query.chatbotId}" did not fit in one poll, so leads that show up more than the look-back window late in the hours it keeps compactly are not caught until a recheck fits again. Raise the poll budget (N8N_SCHEDULER_POLL_TIMEOUT) or lower Recheck Late Leads For.`,
			);
		}
		return new Set();
	}
	const leads = recheck.leads.map((timed) => ({ id: timed.lead.id, createdAtMs: timed.createdAtMs }));
	const { fresh, unknownHours } = cursor.reconcileDigests(leads, recheck.fromMs);
	if (unknownHours.length > 0) {
		ctx.logger.warn(`Chatbot Leads Trigger: too many leads of chatbot "${query.chatbotId}" changed in ${unknownHours.length} old hour(s) to tell which are new; their leads are emitted again rather than risk losing one.`);
	}
	return fresh;
}

/** Leads without a readable time, seen for the first time: emitted once and logged once. */
function untimedToEmit(ctx: IPollFunctions, cursor: ChatbotCursor, untimed: TimedLead[]): TimedLead[] {
	const emit = untimed.filter((timed) => cursor.shouldEmitUntimed(timed.lead.id));
	for (const timed of emit) {
		ctx.logger.warn(`Chatbot Leads Trigger: lead "${timed.lead.id}" of chatbot "${timed.lead.chatbotId}" is emitted with createdAt null: ${String(timed.lead.createdAtError)}`);
	}
	return emit;
}

/**
 * One chatbot's poll: new ground (a pending scan goes on, else the look-back window before the
 * newest leads, however long ago that was), plus the recheck period when a recheck is due; what
 * was never seen is new. A budget that runs out leaves the rest of new ground to the next poll.
 */
export async function pollChatbot(
	ctx: IPollFunctions,
	client: VendorClient,
	settings: ChatbotPollSettings,
	query: LeadQuery,
	cursor: ChatbotCursor,
	hostNow: number,
	serverLargestPage: number,
): Promise<ChatbotPoll> {
	const starting = cursor.state.pending?.emitFromMs !== undefined;
	const options = scanOptions(settings, cursor, serverLargestPage);
	const start = cursor.scanStart();
	const scan = await scanLeadsSince(client, query, start.fromMs, {
		...options,
		continueAt: start.continueAt,
		resume: start.resume,
		stopAfterMs: settings.scanUntilMs,
		existingOnlySpanMs: cursor.existingOnly() ? horizonSpanMs(settings.windows) : undefined,
	});
	warnRestarted(ctx, client, query, scan);
	const recheck = scan.stoppedAt ? undefined : await recheckIfDue(ctx, client, settings, query, cursor, options, hostNow);
	const seen = firstOfEachId(recheck ? [...scan.leads, ...recheck.leads] : scan.leads);
	const untimed = firstOfEachId(recheck ? [...scan.untimed, ...recheck.untimed] : scan.untimed);
	const late = lateFromDigests(ctx, query, cursor, recheck);
	const fresh = seen.filter((timed) => late.has(timed.lead.id) || cursor.shouldEmit({ id: timed.lead.id, createdAtMs: timed.createdAtMs }));
	const zoneWarning = starting ? undefined : shiftedTimesWarning(ctx, client.provider, query, cursor.state, fresh, hostNow);
	const emit = [...fresh, ...untimedToEmit(ctx, cursor, untimed)];
	const state = cursor.advance(
		seen.map((timed) => ({ id: timed.lead.id, createdAtMs: timed.createdAtMs })),
		hostNow,
		{
			scan: { fromMs: start.fromMs, stoppedAt: scan.stoppedAt, newestMs: newestOf(scan.leads) },
			recheck: recheck?.progress,
			recheckWhole: recheck?.whole,
			untimedIds: untimed.map((timed) => timed.lead.id),
			largestPage: scan.largestPage || undefined,
			resume: scan.resume,
			zoneWarning,
		},
	);
	return { state, emit };
}
