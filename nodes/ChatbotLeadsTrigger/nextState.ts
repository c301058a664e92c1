import type { IPollFunctions } from 'n8n-workflow';

import type { ChatbotListCache } from '../shared/parameters/chatbots';
import { HOUR_MS } from '../shared/lead/time';
import type { LeadProvider } from '../shared/vendors/types';
import type { ChatbotPoll } from './pollChatbot';
import { CLOCK_MARGIN_MS, type TriggerSettings } from './settings';
import { anchorOf, compactCursor, readLeadCursor, type ChatbotCursorState, type LeadCursorState, type UnlistedChatbot } from './state/cursorState';
import { readPositionBackup } from './state/positionBackup';

// What a poll starts from (the saved state, or its backup) and the state it leaves for the next.

/** How long a chatbot no longer listed or selected keeps its whole cursor; after that a compact one. */
export const UNLISTED_KEPT_MS = 7 * 24 * HOUR_MS;
/** How long, and how many, compact cursors of chatbots gone are kept at most. */
const UNLISTED_FORGOTTEN_MS = 365 * 24 * HOUR_MS;
const UNLISTED_MAX = 200;

/** What a poll starts from: the saved state (or its backup), and whether this is the trigger's first poll. */
export interface PollInputs {
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
export function isProvidersKey(key: string, provider: LeadProvider): boolean {
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

export function savedStateOf(saved: LeadCursorState | undefined, key: string): ChatbotCursorState | undefined {
	return saved?.chatbots[key] ?? saved?.unlisted?.[key]?.state;
}

export type TargetOutcome =
	| ({ kind: 'polled'; key: string } & ChatbotPoll)
	| { kind: 'skipped'; key: string }
	| { kind: 'failed'; key: string; error: unknown };

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
export function nextCursor(settings: TriggerSettings, from: PollInputs, polled: { outcomes: TargetOutcome[]; cache?: ChatbotListCache; targetKeys: string[] }, failing: Record<string, number>): LeadCursorState {
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

export function pollInputs(ctx: IPollFunctions, settings: TriggerSettings, hostNow: number): PollInputs {
	const workflowId = ctx.getWorkflow().id || undefined;
	const { saved, ownState } = readSaved(ctx, settings, workflowId);
	const startMark = saved?.startMarkMs ?? hostNow - CLOCK_MARGIN_MS;
	const joinFromMs = Math.min(startMark, settings.emitSinceMs ?? Infinity);
	return { saved, ownState, workflowId, hostNow, serverLargestPage: largestPageOf(saved, settings.provider), joinFromMs };
}

