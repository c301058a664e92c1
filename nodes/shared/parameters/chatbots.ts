import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { locatorParams, type ParameterReader } from './params';
import type { TaskPool } from '../transport/pool';
import type { VendorClient } from '../transport/request';
import type { ChatbotTarget, LeadQuery } from '../lead/types';
import type { LeadProvider, ListReader } from '../vendors/types';
import { VendorResponseError } from '../vendors/errors';
import { checkId } from './validate';

/** The Chatbots parameter: today's one chatbot, every chatbot of the account, or a list of IDs. */
export type ChatbotScope = 'one' | 'all' | 'list';

/** The chatbots one item asks for, validated; `all` still needs the vendor's list. */
export type ChatbotSelection =
	| { scope: 'one' | 'list'; provider: LeadProvider; targets: ChatbotTarget[] }
	| { scope: 'all'; provider: LeadProvider };

function readScope(node: INode, itemIndex: number, provider: LeadProvider, value: unknown): ChatbotScope {
	// Workflows saved before the parameter existed have none: they meant one chatbot.
	const scope = value === undefined || value === null || value === '' ? 'one' : String(value);
	if (scope === 'one' || scope === 'list') return scope;
	if (scope === 'all' && provider.allChatbots) return scope;
	if (scope === 'all') {
		throw new NodeOperationError(
			node,
			`${provider.displayName} has no API that lists its chatbots, so "All Chatbots of the Account" cannot be used. Set Chatbots to "Several by ID" and paste the ${provider.chatbotLabel}s.`,
			{ itemIndex },
		);
	}
	throw new NodeOperationError(node, `Chatbots "${scope}" is not a known choice. Pick one from the Chatbots list.`, { itemIndex });
}

/** The IDs of "Several by ID": separated by commas or new lines, each checked like a single ID, duplicates dropped. */
export function parseChatbotIds(node: INode, itemIndex: number, value: unknown): string[] {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	const entries = text
		.split(/[,\n\r]+/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
	if (entries.length === 0) {
		throw new NodeOperationError(node, 'Chatbot IDs is empty. Enter one or more IDs, separated by commas or new lines.', { itemIndex });
	}
	const ids = entries.map((entry, index) => checkId(node, itemIndex, `Chatbot ID ${index + 1} of ${entries.length}`, entry));
	return [...new Set(ids)];
}

/**
 * The chatbots an item's parameters select, checked before any request. The provider's own
 * parameters (Robofy's project) apply to one chatbot and to a list; All lists them all.
 */
export function readChatbotSelection(
	node: INode,
	itemIndex: number,
	provider: LeadProvider,
	read: ParameterReader,
): ChatbotSelection {
	const scope = readScope(node, itemIndex, provider, read('chatbotScope', 'one'));
	if (scope === 'all') return { scope, provider };
	if (scope === 'one') {
		const chatbotId = checkId(node, itemIndex, 'Chatbot ID', read('chatbotId', '', true));
		return { scope, provider, targets: [{ chatbotId, params: locatorParams(node, itemIndex, provider, read) }] };
	}
	const ids = parseChatbotIds(node, itemIndex, read('chatbotIds', ''));
	const params = locatorParams(node, itemIndex, provider, read);
	// Each lead says where it came from, the provider's parameters (Robofy's project) included.
	return { scope, provider, targets: ids.map((chatbotId) => ({ chatbotId, params, leadContext: { ...params } })) };
}

/** What a list request failed with, said in the context of listing. */
function listError(client: VendorClient, error: unknown, what: string): Error {
	const advice = ' Or set Chatbots to "Several by ID" and paste the IDs.';
	if (error instanceof VendorResponseError) {
		return client.fail(`Could not list the ${what}: ${client.provider.displayName} answered in an unexpected shape (${error.message}).${advice}`);
	}
	if (error instanceof NodeApiError) {
		error.message = `Could not list the ${what}: ${error.message}`;
		return error;
	}
	return error instanceof Error ? error : new Error(String(error));
}

/** `ListReader` over the vendor client, through the pool so list requests are paced like the rest. */
function listReader(client: VendorClient, pool: TaskPool): ListReader {
	const provider = client.provider;
	return async (list, params) => {
		const within = (provider.properties ?? [])
			.filter((property) => params[property.name] !== undefined)
			.map((property) => ` of ${property.displayName.toLowerCase()} "${String(params[property.name])}"`)
			.join('');
		const what = `${provider.displayName} ${list === provider.projectList ? 'projects' : `${provider.chatbotLabel}s`}${within}`;
		return await pool.run(async () => {
			try {
				return list.parse(await client.get(list.request(params)));
			} catch (error) {
				throw listError(client, error, what);
			}
		});
	};
}

function targetKey(target: ChatbotTarget): string {
	return JSON.stringify([target.params, target.chatbotId]);
}

/**
 * The chatbots to fetch, in the order the user typed them or the vendor listed them. All asks
 * the vendor (Chatbase, Chatzuri: their chatbot list; Robofy: every agent of every project).
 */
export async function resolveChatbots(client: VendorClient, selection: ChatbotSelection, pool: TaskPool): Promise<ChatbotTarget[]> {
	if (selection.scope !== 'all') return selection.targets;
	const listAll = selection.provider.allChatbots;
	if (!listAll) throw new Error(`${selection.provider.displayName} cannot list its chatbots`);
	const listed = await listAll(listReader(client, pool));
	const unique = new Map<string, ChatbotTarget>();
	for (const target of listed) if (!unique.has(targetKey(target))) unique.set(targetKey(target), target);
	return [...unique.values()];
}

/** How long the trigger reuses the list behind All by default (option List Chatbots Every). */
export const DEFAULT_LIST_EVERY_MS = 5 * 60_000;

/** The list behind All as the trigger keeps it in its state, to list at most every few minutes. */
export interface ChatbotListCache extends IDataObject {
	/** The provider that listed them: another provider lists anew. */
	provider: string;
	/** Host time of the listing (only schedules the next one). */
	listedAt: number;
	targets: ChatbotTarget[];
}

interface CacheTiming {
	hostNow: number;
	/** How long a listing is reused. */
	reuseForMs: number;
}

function freshCache(cached: unknown, provider: LeadProvider, { hostNow, reuseForMs }: CacheTiming): ChatbotListCache | undefined {
	const cache = cached as ChatbotListCache | undefined;
	if (!cache || typeof cache !== 'object' || cache.provider !== provider.name || !Array.isArray(cache.targets)) return undefined;
	const age = hostNow - cache.listedAt;
	// A clock that went back makes the age negative: list anew rather than trust it.
	return age >= 0 && age < reuseForMs ? cache : undefined;
}

/**
 * `resolveChatbots` for a trigger poll: the list behind All is reused for a few minutes, so an
 * idle poll makes at most one list request now and then. Returns the targets and, for All, the
 * cache to keep.
 */
export async function resolveChatbotsCached(
	client: VendorClient,
	selection: ChatbotSelection,
	pool: TaskPool,
	cached: unknown,
	timing: CacheTiming,
): Promise<{ targets: ChatbotTarget[]; cache?: ChatbotListCache }> {
	if (selection.scope !== 'all') return { targets: selection.targets };
	const reused = freshCache(cached, selection.provider, timing);
	if (reused) return { targets: reused.targets, cache: reused };
	const targets = await resolveChatbots(client, selection, pool);
	return { targets, cache: { provider: selection.provider.name, listedAt: timing.hostNow, targets } };
}

/** The query for one chatbot: the item's query (dates, filters, zone) plus where the chatbot is and what its leads carry. */
export function queryForChatbot(base: LeadQuery, target: ChatbotTarget, severalChatbots: boolean): LeadQuery {
	const query: LeadQuery = { ...base, chatbotId: target.chatbotId, params: { ...target.params, ...base.params } };
	if (severalChatbots) {
		const context: IDataObject = {};
		if (target.chatbotName !== undefined) context.chatbotName = target.chatbotName;
		query.leadContext = { ...context, ...target.leadContext };
	}
	return query;
}

/** "Chatbase chatbot "bot-2" (Sales bot)": which chatbot an error is about. */
export function describeChatbot(provider: LeadProvider, target: ChatbotTarget): string {
	const name = target.chatbotName === undefined ? '' : ` (${target.chatbotName})`;
	const within = (provider.properties ?? [])
		.filter((property) => target.params[property.name] !== undefined)
		.map((property) => ` in ${property.displayName.toLowerCase()} "${String(target.params[property.name])}"`)
		.join('');
	return `${provider.displayName} ${provider.chatbotLabel} "${target.chatbotId}"${name}${within}`;
}

/** Puts the chatbot into an error's message when several chatbots ran and the message does not name it yet. */
export function nameChatbotInError(error: unknown, provider: LeadProvider, target: ChatbotTarget): unknown {
	if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) return error;
	if (!error.message.includes(`"${target.chatbotId}"`)) {
		error.message = `${describeChatbot(provider, target)}: ${error.message}`;
	}
	return error;
}
