import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readStartRecord, withAdopted, writeStartRecord } from './activation';
import {
	ChatbotCursor,
	keptFor,
	readLeadCursor,
	type ChatbotCursorState,
	type CursorWindows,
	type LeadCursorState,
	type RecheckProgress,
} from './cursor';
import type { TimedLead } from './normalize';
import { readLeadQuery, readProvider, readRunOptions, type ParameterReader, type RunOptions } from './params';
import { scanLeadsSince, type ScanOptions } from './scan';
import { createVendorClient, type VendorClient } from './transport';
import type { LeadProvider, LeadQuery } from './types';
import { checkDay, checkPositive } from './validate';
import { shiftedTimesWarning } from './zoneCheck';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const SAMPLE_DAYS = 30;
/**
 * How much further back than the recheck period a first poll reads, by the host's clock, to learn
 * which leads already exist: more than any zone (UTC-12..+14) or plausible clock error can shift
 * a vendor's times. Only the first poll of a chatbot compares with the host's clock at all.
 */
const FIRST_POLL_MARGIN_MS = 26 * HOUR_MS;
/** The part of a poll's budget a recheck may use; the rest of it goes on at the next poll. */
const RECHECK_SHARE = 0.6;
/** Left of n8n's poll budget for n8n's own work after the poll returns (at most a tenth of it). */
const BUDGET_RESERVE_MS = 2_000;

/** One chatbot the trigger watches. */
export interface ChatbotTarget {
	chatbotId: string;
	/** The provider's own parameters for this chatbot (Robofy's project). */
	params: IDataObject;
}

interface TriggerSettings {
	provider: LeadProvider;
	query: LeadQuery;
	run: RunOptions;
	windows: CursorWindows;
	/** Host time after which a recheck stops for this poll and goes on at the next (short poll budgets). */
	recheckUntilMs?: number;
	/** First poll: emit leads since this instant, or (undefined) only remember what exists. */
	emitSinceMs?: number;
}

/** `getPollBudgetMs` exists from n8n-workflow 2.38 on; older hosts set no deadline. */
function pollDeadline(ctx: IPollFunctions, startedAt: number): number | undefined {
	const budget = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
	if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0) return undefined;
	return startedAt + budget - Math.min(BUDGET_RESERVE_MS, budget / 10);
}

function readSettings(ctx: IPollFunctions, startedAt: number): TriggerSettings {
	const node = ctx.getNode();
	const read: ParameterReader = (name, fallback, extractValue) =>
		ctx.getNodeParameter(name, fallback, { extractValue: extractValue === true });
	const provider = readProvider(node, 0, read('provider', ''));
	const options = (read('options', {}) ?? {}) as IDataObject;
	const option = (name: string, field: string, fallback: number, min: number) =>
		options[name] === undefined ? fallback : checkPositive(node, 0, field, options[name], min);
	const run = readRunOptions(node, 0, read);
	run.request.deadlineMs = pollDeadline(ctx, startedAt);
	const settings: TriggerSettings = {
		provider,
		query: readLeadQuery(node, 0, provider, read, false),
		run,
		windows: {
			lookBackMs: option('lookBackMinutes', 'Look-Back Window', 60, 1) * MINUTE_MS,
			recheckMs: option('recheckHours', 'Recheck Late Leads For', 48, 0) * HOUR_MS,
			recheckEveryMs: option('recheckEveryMinutes', 'Recheck Every', 60, 1) * MINUTE_MS,
		},
	};
	const deadline = run.request.deadlineMs;
	if (deadline !== undefined) settings.recheckUntilMs = startedAt + RECHECK_SHARE * (deadline - startedAt);
	if (read('firstPoll', 'skipExisting') === 'emitSince') {
		const day = checkDay(node, 0, 'Emit Leads Since', read('emitSince', ''));
		if (!day) throw new NodeOperationError(node, 'Emit Leads Since is empty. Pick the date from which existing leads should be emitted.');
		settings.emitSinceMs = Date.parse(`${day}T00:00:00.000Z`);
	}
	return settings;
}

function chatbotKey(provider: LeadProvider, target: ChatbotTarget): string {
	return JSON.stringify([provider.name, target.params, target.chatbotId]);
}

function byAge(a: TimedLead, b: TimedLead): number {
	return a.createdAtMs - b.createdAtMs || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0);
}

/** "Fetch Test Event": the most recent lead, as a sample to map; no state is read or written. */
async function sampleLead(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings) {
	// Recent days first: with a date filter that is one cheap request for most chatbots.
	const since = [Date.now() - SAMPLE_DAYS * 24 * HOUR_MS, -Infinity];
	for (const fromMs of client.provider.dateFilter ? since : since.slice(1)) {
		const { leads } = await scanLeadsSince(client, settings.query, fromMs, {
			maxPages: settings.run.maxPages,
			includeRaw: settings.run.includeRaw,
		});
		if (leads.length > 0) return [ctx.helpers.returnJsonArray([leads.sort(byAge)[leads.length - 1].lead])];
	}
	throw new NodeOperationError(
		ctx.getNode(),
		`The ${client.provider.displayName} ${client.provider.chatbotLabel} "${settings.query.chatbotId}" has no leads yet, so there is no sample to show. Capture a test lead through the chatbot, then fetch again.`,
	);
}

/** A new chatbot's cursor: everything from well before the recheck period on counts as already there. */
function startCursor(settings: TriggerSettings, hostNow: number): ChatbotCursor {
	const floorMs = Math.min(settings.emitSinceMs ?? Infinity, hostNow - keptFor(settings.windows) - FIRST_POLL_MARGIN_MS);
	return ChatbotCursor.fresh(floorMs, settings.windows);
}

interface ChatbotPoll {
	state: ChatbotCursorState;
	emit: TimedLead[];
}

function scanOptions(ctx: IPollFunctions, settings: TriggerSettings, cursor: ChatbotCursor): ScanOptions {
	return {
		maxPages: settings.run.maxPages,
		includeRaw: settings.run.includeRaw,
		largestPage: cursor.state.largestPage,
		relevantSpanMs: keptFor(settings.windows),
		skipUntimed: (record) =>
			ctx.logger.warn('Chatbot Leads Trigger skipped a lead whose time could not be read', { record: JSON.stringify(record).slice(0, 300) }),
	};
}

/** A due recheck: the whole kept period, in parts across polls when the poll budget is short. */
async function recheckPart(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings, query: LeadQuery, cursor: ChatbotCursor) {
	const { fromMs, position } = cursor.recheckStart();
	const scan = await scanLeadsSince(client, query, fromMs, {
		...scanOptions(ctx, settings, cursor),
		continueAt: position,
		stopAfterMs: settings.recheckUntilMs,
	});
	const progress: 'done' | RecheckProgress = scan.stoppedAt ? { fromMs, position: scan.stoppedAt } : 'done';
	return { leads: scan.leads, progress };
}

function uniqueById(leads: TimedLead[]): TimedLead[] {
	const byId = new Map<string, TimedLead>();
	for (const timed of leads) if (!byId.has(timed.lead.id)) byId.set(timed.lead.id, timed);
	return [...byId.values()];
}

/**
 * One chatbot's poll: the look-back window (a first poll: everything since the floor), plus the
 * recheck period when a recheck is due; what was never seen is new.
 */
async function pollChatbot(
	ctx: IPollFunctions,
	client: VendorClient,
	settings: TriggerSettings,
	query: LeadQuery,
	saved: ChatbotCursorState | undefined,
	hostNow: number,
): Promise<ChatbotPoll> {
	const first = saved === undefined;
	const cursor = saved ? ChatbotCursor.restore(saved, settings.windows) : startCursor(settings, hostNow);
	const scan = await scanLeadsSince(client, query, cursor.scanFromMs(first), {
		...scanOptions(ctx, settings, cursor),
		resume: first ? undefined : cursor.state.resume,
	});
	const recheck = !first && cursor.isRecheckDue(hostNow) ? await recheckPart(ctx, client, settings, query, cursor) : undefined;
	const seen = uniqueById(recheck ? [...scan.leads, ...recheck.leads] : scan.leads);
	const fresh = seen.filter((timed) => cursor.isNew({ id: timed.lead.id, createdAtMs: timed.createdAtMs }));
	const emit = first ? fresh.filter((timed) => timed.createdAtMs >= (settings.emitSinceMs ?? Infinity)) : fresh;
	const zoneWarning = first ? undefined : shiftedTimesWarning(ctx, client.provider, query, cursor.state, fresh, hostNow);
	const state = cursor.advance(
		seen.map((timed) => ({ id: timed.lead.id, createdAtMs: timed.createdAtMs })),
		hostNow,
		{
			recheck: first ? 'done' : recheck?.progress,
			largestPage: scan.largestPage || undefined,
			resume: first ? undefined : scan.resume,
			zoneWarning,
		},
	);
	return { state, emit };
}

/** Where each chatbot's cursor comes from: this node's, else an activation record not yet taken over. */
function startingPoint(saved: LeadCursorState | undefined, record: ReturnType<typeof readStartRecord>, key: string) {
	const own = saved?.chatbots[key];
	if (own) return { state: own, adoptedFrom: undefined };
	const fromRecord = record && !(saved?.adopted ?? []).includes(record.id) ? record.chatbots[key] : undefined;
	return { state: fromRecord, adoptedFrom: fromRecord ? record?.id : undefined };
}

/**
 * One poll: every lead not emitted before, oldest first, each exactly once. The cursor is
 * assigned only after every chatbot was read, so a failed poll changes nothing and the next poll
 * sees the same leads again.
 */
export async function pollChatbotLeads(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const hostNow = Date.now();
	const settings = readSettings(ctx, hostNow);
	const client = await createVendorClient(ctx, settings.provider, settings.run.request);
	if (ctx.getMode() === 'manual') return await sampleLead(ctx, client, settings);

	const staticData = ctx.getWorkflowStaticData('node');
	const saved = readLeadCursor(staticData.leadCursor, settings.windows.lookBackMs);
	const record = readStartRecord(ctx);
	const targets: ChatbotTarget[] = [{ chatbotId: settings.query.chatbotId, params: settings.query.params }];

	const next: LeadCursorState = { version: 2, chatbots: {}, adopted: saved?.adopted };
	const started: Record<string, ChatbotCursorState> = {};
	const emit: TimedLead[] = [];
	for (const target of targets) {
		const key = chatbotKey(settings.provider, target);
		const { state, adoptedFrom } = startingPoint(saved, record, key);
		const query = { ...settings.query, chatbotId: target.chatbotId, params: target.params };
		const result = await pollChatbot(ctx, client, settings, query, state, hostNow);
		next.chatbots[key] = result.state;
		if (adoptedFrom) next.adopted = withAdopted(next.adopted, adoptedFrom);
		if (!state) started[key] = result.state;
		emit.push(...result.emit);
	}
	if (Object.keys(started).length > 0) next.adopted = withAdopted(next.adopted, writeStartRecord(ctx, started, hostNow));
	if (!next.adopted) delete next.adopted;
	staticData.leadCursor = next;
	return emit.length > 0 ? [ctx.helpers.returnJsonArray(emit.sort(byAge).map((timed) => timed.lead))] : null;
}
