import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ConversationFinder } from '../shared/fetch/conversations';
import type { TimedLead } from '../shared/lead/normalize';
import type { ChatbotTarget } from '../shared/lead/types';
import { nameChatbotInError, queryForChatbot, resolveChatbotsCached } from '../shared/parameters/chatbots';
import { settleEachInPool, TaskPool } from '../shared/transport/pool';
import { createVendorClient, isBudgetSpent, type VendorClient } from '../shared/transport/request';
import { nextCursor, pollInputs, savedStateOf, type PollInputs, type TargetOutcome } from './nextState';
import { pollChatbot } from './pollChatbot';
import { chatbotKey, CLOCK_MARGIN_MS, readSettings, severalChatbots, type TriggerSettings } from './settings';
import { ChatbotCursor, EXISTING_ONLY } from './state/cursor';
import { horizonSpanMs, type LeadCursorState } from './state/cursorState';
import { writePositionBackup } from './state/positionBackup';
import { fetchTestEvent } from './testEvent';

/** Oldest first; leads without a readable time last. */
function byAge(a: TimedLead, b: TimedLead): number {
	const at = Number.isNaN(a.createdAtMs) ? Infinity : a.createdAtMs;
	const bt = Number.isNaN(b.createdAtMs) ? Infinity : b.createdAtMs;
	return at - bt || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0);
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
	if (ctx.getMode() === 'manual') return await fetchTestEvent(ctx, client, settings, pool);

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
