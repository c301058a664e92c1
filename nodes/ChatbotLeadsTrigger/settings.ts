import type { IDataObject, INode, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_LIST_EVERY_MS, readChatbotSelection, type ChatbotSelection } from '../shared/parameters/chatbots';
import { readNumberOption, readProvider, readQueryWithoutChatbot, readRunOptions, type ParameterReader, type RunOptions } from '../shared/parameters/params';
import { checkDay } from '../shared/parameters/validate';
import { HOUR_MS, MINUTE_MS, zonedDayStartMs } from '../shared/lead/time';
import type { ChatbotTarget, LeadQuery } from '../shared/lead/types';
import type { LeadProvider } from '../shared/vendors/types';
import type { ChatbotPollSettings } from './pollChatbot';
import type { CursorWindows } from './state/cursorState';

/**
 * How much further back than the recheck period a first poll reads, by the host's clock, to learn
 * which leads already exist; and how far before the host's clock at the start a chatbot that
 * joins later emits from, at the least: more than any zone (UTC-12..+14) or plausible clock error
 * can shift a vendor's times.
 */
export const CLOCK_MARGIN_MS = 26 * HOUR_MS;
/** The parts of a poll's budget new ground and a recheck may use before leaving the rest to the next poll. */
const SCAN_SHARE = 0.75;
const RECHECK_SHARE = 0.6;
/** Left of n8n's poll budget for n8n's own work after the poll returns (at most a tenth of it). */
const BUDGET_RESERVE_MS = 2_000;
export interface TriggerSettings extends ChatbotPollSettings {
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

function readWindows(node: INode, options: IDataObject): CursorWindows {
	const option = (name: string, field: string, fallback: number, min: number) => readNumberOption(node, 0, options, name, field, fallback, min);
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

export function readSettings(ctx: IPollFunctions, startedAt: number): TriggerSettings {
	const node = ctx.getNode();
	const read: ParameterReader = (name, fallback, extractValue) =>
		ctx.getNodeParameter(name, fallback, { extractValue: extractValue === true });
	const provider = readProvider(node, 0, read('provider', ''));
	const options = (read('options', {}) ?? {}) as IDataObject;
	const run = readRunOptions(node, 0, read);
	const deadline = pollDeadline(ctx, startedAt);
	run.request.deadlineMs = deadline;
	const listEvery = readNumberOption(node, 0, options, 'listEveryMinutes', 'List Chatbots Every', DEFAULT_LIST_EVERY_MS / MINUTE_MS, 1);
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

export function chatbotKey(provider: LeadProvider, target: ChatbotTarget): string {
	return JSON.stringify([provider.name, target.params, target.chatbotId]);
}

export function severalChatbots(settings: TriggerSettings): boolean {
	return settings.selection.scope !== 'one';
}

