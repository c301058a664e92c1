import { nameChatbotInError, queryForChatbot } from '../shared/parameters/chatbots';
import { collectLeads, type CollectOptions } from '../shared/fetch/leads';
import { forEachInPool, type TaskPool } from '../shared/transport/pool';
import type { VendorClient } from '../shared/transport/request';
import type { ChatbotTarget, LeadQuery, NormalizedLead } from '../shared/lead/types';

export interface ChatbotsCollectOptions extends CollectOptions {
	/** Whether the run covers several chatbots (Chatbots: All or Several): errors then name the chatbot. */
	severalChatbots: boolean;
}

/**
 * The leads of every chatbot, per chatbot in target order, through the pool (Concurrent Requests
 * chatbots at a time). A Limit counts all chatbots together: the result is the first `limit`
 * leads in chatbot order. A chatbot that starts asks for what the finished chatbots before it
 * left short (all of the Limit while none has finished), and is skipped once they hold enough.
 * Each chatbot pages ahead with its share of the pool's concurrency.
 */
export async function collectLeadsOfChatbots(
	client: VendorClient,
	targets: ChatbotTarget[],
	baseQuery: LeadQuery,
	options: ChatbotsCollectOptions,
	pool: TaskPool,
): Promise<NormalizedLead[][]> {
	const perChatbot: NormalizedLead[][] = targets.map(() => []);
	const finished: boolean[] = targets.map(() => false);
	const before = (index: number) => perChatbot.slice(0, index).reduce((sum, leads, j) => sum + (finished[j] ? leads.length : 0), 0);

	await forEachInPool(targets, pool, async (target, index) => {
		const budget = options.limit === undefined ? undefined : options.limit - before(index);
		if (budget !== undefined && budget <= 0) return;
		const share = Math.max(1, Math.floor(pool.concurrency() / Math.min(pool.concurrency(), targets.length)));
		try {
			perChatbot[index] = await collectLeads(client, queryForChatbot(baseQuery, target, options.severalChatbots), {
				...options,
				limit: budget,
				paging: { ...options.paging, concurrency: Math.min(options.paging.concurrency ?? 1, share) },
			});
			finished[index] = true;
		} catch (error) {
			throw options.severalChatbots ? nameChatbotInError(error, client.provider, target) : error;
		}
	});
	if (options.limit !== undefined) trimToLimit(perChatbot, options.limit);
	return perChatbot;
}

/** Keeps the first `limit` leads in chatbot order. */
function trimToLimit(perChatbot: NormalizedLead[][], limit: number): void {
	let left = limit;
	for (let index = 0; index < perChatbot.length; index++) {
		if (perChatbot[index].length > left) perChatbot[index] = perChatbot[index].slice(0, left);
		left -= perChatbot[index].length;
	}
}
