import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readStartRecord, withAdopted, writeStartRecord } from './activation';
import {
	describeChatbot,
	nameChatbotInError,
	queryForChatbot,
	readChatbotSelection,
	resolveChatbots,
	resolveChatbotsCached,
	DEFAULT_LIST_EVERY_MS,
	type ChatbotSelection,
} from './chatbots';
import {
	ChatbotCursor,
	keptFor,
	readLeadCursor,
	type ChatbotCursorState,
	type CursorWindows,
	type LeadCursorState,
	type RecheckProgress,
	type UnlistedChatbot,
} from './cursor';
import type { TimedLead } from './normalize';
import { readProvider, readQueryWithoutChatbot, readRunOptions, type ParameterReader, type RunOptions } from './params';
import { forEachInPool, settle, TaskPool } from './pool';
import { scanLeadsSince, type ScanOptions } from './scan';
import { createVendorClient, type VendorClient } from './transport';
import type { ChatbotTarget, LeadProvider, LeadQuery } from './types';
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
/**
 * Chatbots: All — how long a chatbot missing from the vendor's list keeps its cursor. A list that
 * leaves a chatbot out for a while must not make its leads of that while count as existing ones.
 */
export const UNLISTED_KEPT_MS = 7 * 24 * HOUR_MS;

interface TriggerSettings {
	provider: LeadProvider;
	/** The chatbots to watch (Chatbots: One, All or Several by ID). */
	selection: ChatbotSelection;
	/** Chatbots: All — how long the vendor's list of chatbots is reused. */
	listEveryMs: number;
	/** The query without its chatbot: each chatbot's is made from it. */
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
		selection: readChatbotSelection(node, 0, provider, read),
		listEveryMs: option('listEveryMinutes', 'List Chatbots Every', DEFAULT_LIST_EVERY_MS / MINUTE_MS, 1) * MINUTE_MS,
		query: readQueryWithoutChatbot(node, 0, provider, read, false),
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

function severalChatbots(settings: TriggerSettings): boolean {
	return settings.selection.scope !== 'one';
}

/** One chatbot's most recent lead, if it has any. */
async function newestLead(client: VendorClient, settings: TriggerSettings, query: LeadQuery): Promise<TimedLead | undefined> {
	// Recent days first: with a date filter that is one cheap request for most chatbots.
	const since = [Date.now() - SAMPLE_DAYS * 24 * HOUR_MS, -Infinity];
	for (const fromMs of client.provider.dateFilter ? since : since.slice(1)) {
		const { leads } = await scanLeadsSince(client, query, fromMs, {
			maxPages: settings.run.maxPages,
			includeRaw: settings.run.includeRaw,
		});
		if (leads.length > 0) return leads.sort(byAge)[leads.length - 1];
	}
	return undefined;
}

/** "Fetch Test Event": the most recent lead of the chatbots, as a sample to map; no state is read or written. */
async function sampleLead(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings, pool: TaskPool) {
	const targets = await resolveChatbots(client, settings.selection, pool);
	const newest: Array<TimedLead | undefined> = [];
	await forEachInPool(targets, pool, async (target, index) => {
		const query = queryForChatbot(settings.query, target, severalChatbots(settings));
		newest[index] = await newestLead(client, settings, query).catch((error: unknown) => {
			throw severalChatbots(settings) ? nameChatbotInError(error, client.provider, target) : error;
		});
	});
	const found = newest.filter((timed): timed is TimedLead => timed !== undefined).sort(byAge);
	if (found.length > 0) return [ctx.helpers.returnJsonArray([found[found.length - 1].lead])];
	const which =
		targets.length === 0
			? `The ${client.provider.displayName} account has no ${client.provider.chatbotLabel}s yet`
			: targets.length === 1
			? `The ${describeChatbot(client.provider, targets[0])} has no leads yet`
			: `None of the ${targets.length} ${client.provider.displayName} ${client.provider.chatbotLabel}s has any leads yet`;
	throw new NodeOperationError(
		ctx.getNode(),
		`${which}, so there is no sample to show. Capture a test lead through the chatbot, then fetch again.`,
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

function scanOptions(ctx: IPollFunctions, settings: TriggerSettings, cursor: ChatbotCursor, serverLargestPage: number): ScanOptions {
	return {
		maxPages: settings.run.maxPages,
		includeRaw: settings.run.includeRaw,
		// The page cap is the server's, so any chatbot's largest page tells a quiet one's short page is its last.
		largestPage: Math.max(cursor.state.largestPage ?? 0, serverLargestPage) || undefined,
		relevantSpanMs: keptFor(settings.windows),
		skipUntimed: (record) =>
			ctx.logger.warn('Chatbot Leads Trigger skipped a lead whose time could not be read', { record: JSON.stringify(record).slice(0, 300) }),
	};
}

/** A due recheck: the whole kept period, in parts across polls when the poll budget is short. */
async function recheckPart(client: VendorClient, settings: TriggerSettings, query: LeadQuery, cursor: ChatbotCursor, options: ScanOptions) {
	const { fromMs, position } = cursor.recheckStart();
	const scan = await scanLeadsSince(client, query, fromMs, {
		...options,
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
	serverLargestPage = 0,
): Promise<ChatbotPoll> {
	const first = saved === undefined;
	const cursor = saved ? ChatbotCursor.restore(saved, settings.windows) : startCursor(settings, hostNow);
	const options = scanOptions(ctx, settings, cursor, serverLargestPage);
	const scan = await scanLeadsSince(client, query, cursor.scanFromMs(first), {
		...options,
		resume: first ? undefined : cursor.state.resume,
	});
	const recheck = !first && cursor.isRecheckDue(hostNow) ? await recheckPart(client, settings, query, cursor, options) : undefined;
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

/** Where each chatbot's cursor comes from: this node's (listed or not), else an activation record not yet taken over. */
function startingPoint(saved: LeadCursorState | undefined, record: ReturnType<typeof readStartRecord>, key: string) {
	const own = saved?.chatbots[key] ?? saved?.unlisted?.[key]?.state;
	if (own) return { state: own, adoptedFrom: undefined };
	const fromRecord = record && !(saved?.adopted ?? []).includes(record.id) ? record.chatbots[key] : undefined;
	return { state: fromRecord, adoptedFrom: fromRecord ? record?.id : undefined };
}

/** The largest page the provider's server returned for any of its chatbots (0: none known yet). */
function largestPageOf(saved: LeadCursorState | undefined, provider: LeadProvider): number {
	let largest = 0;
	for (const [key, state] of Object.entries(saved?.chatbots ?? {})) {
		if (isProvidersKey(key, provider)) largest = Math.max(largest, state.largestPage ?? 0);
	}
	return largest;
}

/** Keys start with the provider: a cursor of the provider the node had before says nothing about this one. */
function isProvidersKey(key: string, provider: LeadProvider): boolean {
	return key.startsWith(`[${JSON.stringify(provider.name)},`);
}

/**
 * Chatbots: All — the cursors of chatbots the vendor no longer lists, kept for UNLISTED_KEPT_MS so
 * one that comes back goes on from its cursor (its leads of the meantime are emitted).
 */
function keepUnlisted(ctx: IPollFunctions, settings: TriggerSettings, from: PollInputs, polled: Set<string>) {
	const kept: Record<string, UnlistedChatbot> = {};
	if (settings.selection.scope !== 'all') return kept;
	for (const [key, entry] of Object.entries(from.saved?.unlisted ?? {})) {
		const fresh = from.hostNow - entry.since < UNLISTED_KEPT_MS;
		if (fresh && !polled.has(key) && isProvidersKey(key, settings.provider)) kept[key] = entry;
	}
	for (const [key, state] of Object.entries(from.saved?.chatbots ?? {})) {
		if (polled.has(key) || !isProvidersKey(key, settings.provider)) continue;
		kept[key] = { since: from.hostNow, state };
		ctx.logger.info('Chatbot Leads Trigger: a chatbot is no longer in the vendor\'s list; its cursor is kept for 7 days in case it comes back', { chatbot: key });
	}
	return kept;
}

interface PollInputs {
	saved: LeadCursorState | undefined;
	record: ReturnType<typeof readStartRecord>;
	hostNow: number;
	serverLargestPage: number;
}

interface TargetPoll extends ChatbotPoll {
	key: string;
	/** The cursor it started from was none: a chatbot new to the trigger. */
	started: boolean;
	adoptedFrom?: string;
}

/** Polls one chatbot from its own cursor, or an activation record, or (new to the trigger) from nothing. */
async function pollTarget(
	ctx: IPollFunctions,
	client: VendorClient,
	settings: TriggerSettings,
	target: ChatbotTarget,
	from: PollInputs,
): Promise<TargetPoll> {
	const key = chatbotKey(settings.provider, target);
	const { state, adoptedFrom } = startingPoint(from.saved, from.record, key);
	const query = queryForChatbot(settings.query, target, severalChatbots(settings));
	try {
		const result = await pollChatbot(ctx, client, settings, query, state, from.hostNow, from.serverLargestPage);
		return { ...result, key, started: !state, adoptedFrom };
	} catch (error) {
		throw severalChatbots(settings) ? nameChatbotInError(error, client.provider, target) : error;
	}
}

/**
 * Every selected chatbot, a few at a time. A chatbot of a reused list that is gone (404) makes the
 * poll list the chatbots anew, once, rather than fail until the list expires.
 */
async function pollEveryChatbot(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings, pool: TaskPool, from: PollInputs) {
	let reusedList = false;
	const pollAll = async (cachedList: unknown) => {
		const { targets, cache } = await resolveChatbotsCached(client, settings.selection, pool, cachedList, {
			hostNow: from.hostNow,
			reuseForMs: settings.listEveryMs,
		});
		reusedList = cache !== undefined && cache.listedAt !== from.hostNow;
		const polls: TargetPoll[] = [];
		await forEachInPool(targets, pool, async (target, index) => {
			polls[index] = await pollTarget(ctx, client, settings, target, from);
		});
		return { polls, cache };
	};
	const relist = (error: unknown) => reusedList && error instanceof NodeApiError && error.httpCode === '404';
	const firstTry = await settle(async () => await pollAll(from.saved?.chatbotList));
	if ('error' in firstTry && !relist(firstTry.error)) throw firstTry.error;
	return 'value' in firstTry ? firstTry.value : await pollAll(undefined);
}

/** The cursor after a successful poll; chatbots started from nothing also go into an activation record. */
function nextCursor(
	ctx: IPollFunctions,
	settings: TriggerSettings,
	from: PollInputs,
	polls: TargetPoll[],
	cache: LeadCursorState['chatbotList'],
): LeadCursorState {
	const next: LeadCursorState = { version: 2, chatbots: {}, adopted: from.saved?.adopted };
	if (cache) next.chatbotList = cache;
	const unlisted = keepUnlisted(ctx, settings, from, new Set(polls.map((poll) => poll.key)));
	if (Object.keys(unlisted).length > 0) next.unlisted = unlisted;
	const started: Record<string, ChatbotCursorState> = {};
	for (const poll of polls) {
		next.chatbots[poll.key] = poll.state;
		if (poll.adoptedFrom) next.adopted = withAdopted(next.adopted, poll.adoptedFrom);
		if (poll.started) started[poll.key] = poll.state;
	}
	if (Object.keys(started).length > 0) next.adopted = withAdopted(next.adopted, writeStartRecord(ctx, started, from.hostNow));
	if (!next.adopted) delete next.adopted;
	return next;
}

/**
 * One poll: every lead not emitted before, oldest first, each exactly once per chatbot. The
 * chatbots are polled a few at a time; the cursor is assigned only after every chatbot was read,
 * so a failed poll (it names the chatbot that failed) changes nothing and the next poll sees the
 * same leads again. A chatbot new to the trigger starts as an activation does; one no longer
 * selected leaves the state (one no longer listed, after UNLISTED_KEPT_MS).
 */
export async function pollChatbotLeads(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const hostNow = Date.now();
	const settings = readSettings(ctx, hostNow);
	const client = await createVendorClient(ctx, settings.provider, settings.run.request);
	const pool = new TaskPool({
		...settings.run.request,
		concurrency: settings.run.concurrency,
		retryRateLimited: severalChatbots(settings),
	});
	if (ctx.getMode() === 'manual') return await sampleLead(ctx, client, settings, pool);

	const staticData = ctx.getWorkflowStaticData('node');
	const saved = readLeadCursor(staticData.leadCursor, settings.windows.lookBackMs);
	const from: PollInputs = { saved, record: readStartRecord(ctx), hostNow, serverLargestPage: largestPageOf(saved, settings.provider) };
	const { polls, cache } = await pollEveryChatbot(ctx, client, settings, pool, from);
	staticData.leadCursor = nextCursor(ctx, settings, from, polls, cache);
	const emit = polls.flatMap((poll) => poll.emit).sort(byAge);
	return emit.length > 0 ? [ctx.helpers.returnJsonArray(emit.map((timed) => timed.lead))] : null;
}
