import type { IDataObject, INode, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	nameChatbotInError,
	queryForChatbot,
	readChatbotSelection,
	resolveChatbotsCached,
	DEFAULT_LIST_EVERY_MS,
	type ChatbotListCache,
	type ChatbotSelection,
} from '../shared/parameters/chatbots';
import { ChatbotCursor, EXISTING_ONLY } from './state/cursor';
import { anchorOf, compactCursor, horizonSpanMs, readLeadCursor, type ChatbotCursorState, type CursorWindows, type LeadCursorState, type UnlistedChatbot } from './state/cursorState';
import type { TimedLead } from '../shared/lead/normalize';
import { readProvider, readQueryWithoutChatbot, readRunOptions, type ParameterReader, type RunOptions } from '../shared/parameters/params';
import { pollChatbot, type ChatbotPoll, type ChatbotPollSettings } from './pollChatbot';
import { settleEachInPool, TaskPool } from '../shared/transport/pool';
import { readPositionBackup, writePositionBackup } from './state/positionBackup';
import { ConversationFinder } from '../shared/fetch/conversations';
import { sampleLead } from './testEvent';
import { HOUR_MS, MINUTE_MS, zonedDayStartMs } from '../shared/lead/time';
import { createVendorClient, isBudgetSpent, type VendorClient } from '../shared/transport/request';
import type { ChatbotTarget, LeadQuery } from '../shared/lead/types';
import type { LeadProvider } from '../shared/vendors/types';
import { checkDay, checkPositive } from '../shared/parameters/validate';

/**
 * How much further back than the recheck period a first poll reads, by the host's clock, to learn
 * which leads already exist; and how far before the host's clock at the start a chatbot that
 * joins later emits from, at the least: more than any zone (UTC-12..+14) or plausible clock error
 * can shift a vendor's times.
 */
const CLOCK_MARGIN_MS = 26 * HOUR_MS;
/** The parts of a poll's budget new ground and a recheck may use before leaving the rest to the next poll. */
const SCAN_SHARE = 0.75;
const RECHECK_SHARE = 0.6;
/** Left of n8n's poll budget for n8n's own work after the poll returns (at most a tenth of it). */
const BUDGET_RESERVE_MS = 2_000;
/** How long a chatbot no longer listed or selected keeps its whole cursor; after that a compact one. */
export const UNLISTED_KEPT_MS = 7 * 24 * HOUR_MS;
/** How long, and how many, compact cursors of chatbots gone are kept at most. */
const UNLISTED_FORGOTTEN_MS = 365 * 24 * HOUR_MS;
const UNLISTED_MAX = 200;

interface TriggerSettings extends ChatbotPollSettings {
	provider: LeadProvider;
	/** The chatbots to watch (Chatbots: One, All or Several by ID). */
	selection: ChatbotSelection;
	/** Chatbots: All — how long the vendor's list of chatbots is reused. */
	listEveryMs: number;
	/** The query without its chatbot: each chatbot's is made from it. */
	query: LeadQuery;
	run: RunOptions;
	/** First Poll: emit leads since this instant, or (undefined) only remember what exists. */
	emitSinceMs?: number;
}

/** `getPollBudgetMs` exists from n8n-workflow 2.38 on; older hosts set no deadline. */
function pollDeadline(ctx: IPollFunctions, startedAt: number): number | undefined {
	const budget = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
	if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0) return undefined;
	return startedAt + budget - Math.min(BUDGET_RESERVE_MS, budget / 10);
}

/** A number option of the trigger, checked, or its default. */
function numberOption(node: INode, options: IDataObject, name: string, field: string, fallback: number, min: number): number {
	return options[name] === undefined ? fallback : checkPositive(node, 0, field, options[name], min);
}

function readWindows(node: INode, options: IDataObject): CursorWindows {
	const option = (name: string, field: string, fallback: number, min: number) => numberOption(node, options, name, field, fallback, min);
	return {
		lookBackMs: option('lookBackMinutes', 'Look-Back Window', 60, 1) * MINUTE_MS,
		recheckMs: option('recheckHours', 'Recheck Late Leads For', 48, 0) * HOUR_MS,
		recheckEveryMs: option('recheckEveryMinutes', 'Recheck Every', 60, 1) * MINUTE_MS,
	};
}

function readEmitSince(ctx: IPollFunctions, read: ParameterReader): number | undefined {
	if (read('firstPoll', 'skipExisting') !== 'emitSince') return undefined;
	const node = ctx.getNode();
	const day = checkDay(node, 0, 'Emit Leads Since', read('emitSince', ''));
	if (!day) throw new NodeOperationError(node, 'Emit Leads Since is empty. Pick the date from which existing leads should be emitted.');
	// A day as people mean it: in the workflow's time zone.
	return zonedDayStartMs(day, ctx.getTimezone());
}

function readSettings(ctx: IPollFunctions, startedAt: number): TriggerSettings {
	const node = ctx.getNode();
	const read: ParameterReader = (name, fallback, extractValue) =>
		ctx.getNodeParameter(name, fallback, { extractValue: extractValue === true });
	const provider = readProvider(node, 0, read('provider', ''));
	const options = (read('options', {}) ?? {}) as IDataObject;
	const run = readRunOptions(node, 0, read);
	const deadline = pollDeadline(ctx, startedAt);
	run.request.deadlineMs = deadline;
	const listEvery = numberOption(node, options, 'listEveryMinutes', 'List Chatbots Every', DEFAULT_LIST_EVERY_MS / MINUTE_MS, 1);
	return {
		provider,
		selection: readChatbotSelection(node, 0, provider, read),
		listEveryMs: listEvery * MINUTE_MS,
		query: readQueryWithoutChatbot(node, 0, provider, read, false),
		run,
		windows: readWindows(node, options),
		maxPages: run.maxPages,
		includeRaw: run.includeRaw,
		scanUntilMs: deadline === undefined ? undefined : startedAt + SCAN_SHARE * (deadline - startedAt),
		recheckUntilMs: deadline === undefined ? undefined : startedAt + RECHECK_SHARE * (deadline - startedAt),
		emitSinceMs: readEmitSince(ctx, read),
	};
}

function chatbotKey(provider: LeadProvider, target: ChatbotTarget): string {
	return JSON.stringify([provider.name, target.params, target.chatbotId]);
}

/** Oldest first; leads without a readable time last. */
function byAge(a: TimedLead, b: TimedLead): number {
	const at = Number.isNaN(a.createdAtMs) ? Infinity : a.createdAtMs;
	const bt = Number.isNaN(b.createdAtMs) ? Infinity : b.createdAtMs;
	return at - bt || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0);
}

function severalChatbots(settings: TriggerSettings): boolean {
	return settings.selection.scope !== 'one';
}

/** What a poll starts from: the saved state (or its backup), and whether this is the trigger's first poll. */
interface PollInputs {
	saved: LeadCursorState | undefined;
	/** Whether `saved` is the node's own state (not a backup, not nothing). */
	ownState: boolean;
	workflowId?: string;
	hostNow: number;
	serverLargestPage: number;
	/** Vendor time from which a chatbot that joins now emits its leads. */
	joinFromMs: number;
}

/** Keys start with the provider: a cursor of the provider the node had before says nothing about this one. */
function isProvidersKey(key: string, provider: LeadProvider): boolean {
	return key.startsWith(`[${JSON.stringify(provider.name)},`);
}

/** The largest page the provider's server returned for any of its chatbots (0: none known yet). */
function largestPageOf(saved: LeadCursorState | undefined, provider: LeadProvider): number {
	let largest = 0;
	for (const [key, state] of Object.entries(saved?.chatbots ?? {})) {
		if (isProvidersKey(key, provider)) largest = Math.max(largest, state.largestPage ?? 0);
	}
	return largest;
}

function savedStateOf(saved: LeadCursorState | undefined, key: string): ChatbotCursorState | undefined {
	return saved?.chatbots[key] ?? saved?.unlisted?.[key]?.state;
}

/**
 * A chatbot's cursor: its own (listed or not), else a start. At the trigger's first poll that is
 * an activation (existing leads recorded, or emitted since the First Poll date); later, a chatbot
 * that joins emits what it captured since the trigger started.
 */
function cursorFor(settings: TriggerSettings, from: PollInputs, key: string): ChatbotCursor {
	const own = savedStateOf(from.saved, key);
	if (own) return ChatbotCursor.restore(own, settings.windows);
	if (from.saved) return ChatbotCursor.start(from.joinFromMs, from.joinFromMs, settings.windows, key, from.hostNow);
	const recordFrom = from.hostNow - horizonSpanMs(settings.windows) - CLOCK_MARGIN_MS;
	const since = settings.emitSinceMs;
	if (since === undefined) return ChatbotCursor.start(recordFrom, EXISTING_ONLY, settings.windows, key, from.hostNow);
	return ChatbotCursor.start(Math.min(recordFrom, since), since, settings.windows, key, from.hostNow);
}

type TargetOutcome =
	| ({ kind: 'polled'; key: string } & ChatbotPoll)
	| { kind: 'skipped'; key: string }
	| { kind: 'failed'; key: string; error: unknown };

/** One chatbot's poll; skipped when no time is left in this poll. Errors go to the pool (it retries 429s), then to `settled`. */
async function pollTarget(
	ctx: IPollFunctions,
	client: VendorClient,
	settings: TriggerSettings,
	target: ChatbotTarget,
	from: PollInputs,
): Promise<TargetOutcome> {
	const key = chatbotKey(settings.provider, target);
	if (settings.scanUntilMs !== undefined && Date.now() >= settings.scanUntilMs) return { kind: 'skipped', key };
	const query = queryForChatbot(settings.query, target, severalChatbots(settings));
	const poll = await pollChatbot(ctx, client, settings, query, cursorFor(settings, from, key), from.hostNow, from.serverLargestPage);
	return { kind: 'polled', key, ...poll };
}

/** A chatbot's poll that threw: out of budget (skipped, nothing lost) or failed, with the chatbot named. */
function settled(client: VendorClient, settings: TriggerSettings, target: ChatbotTarget, error: unknown): TargetOutcome {
	const key = chatbotKey(settings.provider, target);
	if (isBudgetSpent(error)) return { kind: 'skipped', key };
	return { kind: 'failed', key, error: severalChatbots(settings) ? nameChatbotInError(error, client.provider, target) : error };
}

/** The chatbots least recently polled first, so a short budget reaches every chatbot in turn. */
function inTurn(targets: ChatbotTarget[], settings: TriggerSettings, saved: LeadCursorState | undefined): ChatbotTarget[] {
	const polledAt = (target: ChatbotTarget) => savedStateOf(saved, chatbotKey(settings.provider, target))?.polledAt ?? -Infinity;
	return targets.map((target, index) => ({ target, index })).sort((a, b) => polledAt(a.target) - polledAt(b.target) || a.index - b.index).map(({ target }) => target);
}

function isGone(outcome: TargetOutcome): boolean {
	return outcome.kind === 'failed' && outcome.error instanceof NodeApiError && outcome.error.httpCode === '404';
}

/**
 * Every selected chatbot, a few at a time, each to its own end. A chatbot of a reused list that
 * is gone (404) makes the poll list the chatbots anew: one no longer listed is not a failure.
 */
async function pollEveryChatbot(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings, pool: TaskPool, from: PollInputs) {
	const timing = { hostNow: from.hostNow, reuseForMs: settings.listEveryMs };
	let { targets, cache } = await resolveChatbotsCached(client, settings.selection, pool, from.saved?.chatbotList, timing);
	const ordered = inTurn(targets, settings, from.saved);
	const results = await settleEachInPool(ordered, pool, async (target) => await pollTarget(ctx, client, settings, target, from));
	let outcomes = results.map((result, index) => ('value' in result ? result.value : settled(client, settings, ordered[index], result.error)));
	const reused = cache !== undefined && cache.listedAt !== from.hostNow;
	if (reused && outcomes.some(isGone)) {
		({ targets, cache } = await resolveChatbotsCached(client, settings.selection, pool, undefined, timing));
		const listed = new Set(targets.map((target) => chatbotKey(settings.provider, target)));
		outcomes = outcomes.filter((outcome) => !isGone(outcome) || listed.has(outcome.key));
		targets = targets.filter((target) => outcomes.some((outcome) => outcome.key === chatbotKey(settings.provider, target)));
	}
	return { outcomes, cache, targetKeys: targets.map((target) => chatbotKey(settings.provider, target)) };
}

/**
 * Failures, each chatbot's own: reported once per failure spell as an error execution (n8n runs
 * the error workflow), while the other chatbots' leads go on. If no chatbot could be read at all,
 * the poll fails as a whole, as n8n expects of a poll that got nothing.
 */
function reportFailures(ctx: IPollFunctions, from: PollInputs, outcomes: TargetOutcome[]): Record<string, number> {
	const failed = outcomes.filter((outcome): outcome is Extract<TargetOutcome, { kind: 'failed' }> => outcome.kind === 'failed');
	if (failed.length > 0 && !outcomes.some((outcome) => outcome.kind === 'polled')) throw failed[0].error;
	const failing: Record<string, number> = {};
	for (const { key, error } of failed) {
		const since = from.saved?.failing?.[key];
		failing[key] = since ?? from.hostNow;
		const message = error instanceof Error ? error.message : String(error);
		ctx.logger.warn(`Chatbot Leads Trigger: ${message} The other chatbots' leads are emitted; this one's follow when it answers again.`);
		if (since === undefined && typeof ctx.__emitError === 'function') ctx.__emitError(error as NodeApiError);
	}
	for (const outcome of outcomes) {
		const since = from.saved?.failing?.[outcome.key];
		if (outcome.kind === 'skipped' && since !== undefined) failing[outcome.key] = since;
		if (outcome.kind === 'polled' && since !== undefined) ctx.logger.info('Chatbot Leads Trigger: a chatbot answers again after failing', { chatbot: outcome.key });
	}
	return failing;
}

/** Cursors of chatbots no longer listed or selected: kept whole for a week, then compact, so one that comes back goes on from there. */
function keepUnlisted(settings: TriggerSettings, from: PollInputs, current: Set<string>): Record<string, UnlistedChatbot> {
	const kept: Array<[string, UnlistedChatbot]> = [];
	for (const [key, entry] of Object.entries(from.saved?.unlisted ?? {})) {
		const age = from.hostNow - entry.since;
		if (current.has(key) || !isProvidersKey(key, settings.provider) || age >= UNLISTED_FORGOTTEN_MS) continue;
		kept.push([key, age >= UNLISTED_KEPT_MS ? { ...entry, state: compactCursor(entry.state, settings.windows) } : entry]);
	}
	for (const [key, state] of Object.entries(from.saved?.chatbots ?? {})) {
		if (!current.has(key) && isProvidersKey(key, settings.provider)) kept.push([key, { since: from.hostNow, state }]);
	}
	return Object.fromEntries(kept.sort((a, b) => b[1].since - a[1].since).slice(0, UNLISTED_MAX));
}

/**
 * The third newest lead time across the account's chatbots (vendor clock): close to the newest,
 * yet a future-dated lead or two cannot push it past leads still to come. None with fewer leads.
 */
function accountAnchor(chatbots: Record<string, ChatbotCursorState>): number | undefined {
	const times = new Set<number>();
	for (const state of Object.values(chatbots)) for (const ms of state.recentMs ?? []) times.add(ms);
	return anchorOf([...times].sort((a, b) => b - a));
}

/** The trigger's state after a poll: each chatbot's own progress; chatbots skipped or failing keep theirs. */
function nextCursor(settings: TriggerSettings, from: PollInputs, polled: { outcomes: TargetOutcome[]; cache?: ChatbotListCache; targetKeys: string[] }, failing: Record<string, number>): LeadCursorState {
	const next: LeadCursorState = { version: 2, chatbots: {}, generation: (from.saved?.generation ?? 0) + 1 };
	if (from.workflowId !== undefined) next.workflowId = from.workflowId;
	if (polled.cache) next.chatbotList = polled.cache;
	for (const outcome of polled.outcomes) {
		const state = outcome.kind === 'polled' ? outcome.state : savedStateOf(from.saved, outcome.key);
		if (state) next.chatbots[outcome.key] = state;
	}
	// The trigger's start as the vendor's clock tells it: never before the newest lead then, never after the host's clock less a margin.
	next.startMarkMs = from.saved?.startMarkMs ?? Math.max(accountAnchor(next.chatbots) ?? -Infinity, from.hostNow - CLOCK_MARGIN_MS);
	const unlisted = keepUnlisted(settings, from, new Set(polled.targetKeys));
	if (Object.keys(unlisted).length > 0) next.unlisted = unlisted;
	if (Object.keys(failing).length > 0) next.failing = failing;
	return next;
}

/**
 * The saved state: the node's own, unless it belongs to another workflow (a copy) or the backup is
 * newer (the node was renamed back to a name whose old state n8n still holds); else the backup
 * (a renamed node, or an activation poll whose state n8n dropped).
 */
function readSaved(ctx: IPollFunctions, settings: TriggerSettings, workflowId: string | undefined) {
	const own = readLeadCursor(ctx.getWorkflowStaticData('node').leadCursor, settings.windows.lookBackMs);
	const mine = own && (own.workflowId === undefined || workflowId === undefined || own.workflowId === workflowId) ? own : undefined;
	const backup = readPositionBackup(ctx, workflowId, settings.windows.lookBackMs);
	if (mine && !(backup && (backup.generation ?? 0) > (mine.generation ?? 0))) return { saved: mine, ownState: true };
	return { saved: backup, ownState: false };
}

function pollInputs(ctx: IPollFunctions, settings: TriggerSettings, hostNow: number): PollInputs {
	const workflowId = ctx.getWorkflow().id || undefined;
	const { saved, ownState } = readSaved(ctx, settings, workflowId);
	const startMark = saved?.startMarkMs ?? hostNow - CLOCK_MARGIN_MS;
	const joinFromMs = Math.min(startMark, settings.emitSinceMs ?? Infinity);
	return { saved, ownState, workflowId, hostNow, serverLargestPage: largestPageOf(saved, settings.provider), joinFromMs };
}

/**
 * One poll: every lead not emitted before, oldest first, each exactly once per chatbot. Each
 * chatbot goes on from its own cursor, however long ago its last poll was; a chatbot that fails
 * or that the poll's time budget does not reach keeps its cursor for the next poll, and the
 * others' leads are emitted. The state is assigned whole (n8n saves only assigned properties)
 * and copied, small, to global static data by node id (positionBackup.ts).
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

	const from = pollInputs(ctx, settings, hostNow);
	const polled = await pollEveryChatbot(ctx, client, settings, pool, from);
	const failing = reportFailures(ctx, from, polled.outcomes);
	// A first poll that reached no chatbot in its budget has nothing to start from: the next poll is the first again.
	if (!from.saved && !polled.outcomes.some((outcome) => outcome.kind === 'polled')) return null;
	const next = nextCursor(settings, from, polled, failing);
	ctx.getWorkflowStaticData('node').leadCursor = next;
	writePositionBackup(ctx, next, settings.windows, !from.ownState);
	const emit = polled.outcomes.flatMap((outcome) => (outcome.kind === 'polled' ? outcome.emit : [])).sort(byAge);
	if (emit.length === 0) return null;
	const leads = emit.map((timed) => timed.lead);
	// After the cursor is set: a conversation that cannot be fetched leaves the lead with conversation null, never unsent.
	if (settings.run.includeConversation) await new ConversationFinder(client, settings.maxPages, pool).attach(leads);
	return [ctx.helpers.returnJsonArray(leads)];
}
