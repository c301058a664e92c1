import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeChatbot, nameChatbotInError, queryForChatbot, resolveChatbots, type ChatbotSelection } from '../shared/parameters/chatbots';
import { ConversationFinder } from '../shared/fetch/conversations';
import { readLeadPages } from '../shared/fetch/leads';
import { vendorQuery } from '../shared/fetch/query';
import type { TimedLead } from '../shared/lead/normalize';
import { forEachInPool, type TaskPool } from '../shared/transport/pool';
import { DAY_MS, utcDay } from '../shared/lead/time';
import type { VendorClient } from '../shared/transport/request';
import type { LeadQuery } from '../shared/lead/types';

/** With a date filter, the first page of these last days is asked first: recent whichever order the vendor returns. */
const RECENT_DAYS = 2;

export interface SampleSettings {
	selection: ChatbotSelection;
	query: LeadQuery;
	maxPages: number;
	includeRaw: boolean;
	run: { includeConversation: boolean };
}

/** The newest lead of a query's first page (the first lead when none has a readable time). */
async function newestOnFirstPage(client: VendorClient, query: LeadQuery, settings: SampleSettings): Promise<TimedLead | undefined> {
	for await (const { leads } of readLeadPages(client, query, { maxPages: settings.maxPages }, settings.includeRaw)) {
		const timed = leads.filter((lead) => !Number.isNaN(lead.createdAtMs));
		return timed.reduce<TimedLead | undefined>((newest, lead) => (newest && newest.createdAtMs >= lead.createdAtMs ? newest : lead), undefined) ?? leads[0];
	}
	return undefined;
}

/** One chatbot's sample: the first page of its recent days where the vendor filters by date, else of all its leads. */
async function chatbotSample(client: VendorClient, query: LeadQuery, settings: SampleSettings): Promise<TimedLead | undefined> {
	const everything = vendorQuery(client.provider, { ...query, startDate: undefined, endDate: undefined });
	if (!client.provider.dateFilter) return await newestOnFirstPage(client, everything, settings);
	const recent = vendorQuery(client.provider, { ...query, startDate: utcDay(Date.now() - RECENT_DAYS * DAY_MS), endDate: undefined });
	return (await newestOnFirstPage(client, recent, settings)) ?? (await newestOnFirstPage(client, everything, settings));
}

function noSample(ctx: IPollFunctions, client: VendorClient, targets: Awaited<ReturnType<typeof resolveChatbots>>): NodeOperationError {
	const provider = client.provider;
	const which =
		targets.length === 0
			? `The ${provider.displayName} account has no ${provider.chatbotLabel}s yet`
			: targets.length === 1
				? `The ${describeChatbot(provider, targets[0])} has no leads yet`
				: `None of the ${targets.length} ${provider.displayName} ${provider.chatbotLabel}s has any leads yet`;
	return new NodeOperationError(ctx.getNode(), `${which}, so there is no sample to show. Capture a test lead through the chatbot, then fetch again.`);
}

/**
 * "Fetch Test Event": a recent lead to map, fast on any account. Each chatbot costs one or two
 * requests (one page); once a chatbot has given a lead, chatbots not yet asked are not asked, so
 * with many chatbots the sample is the newest of the first ones with leads. No state is read or written.
 */
export async function fetchTestEvent(ctx: IPollFunctions, client: VendorClient, settings: SampleSettings, pool: TaskPool): Promise<INodeExecutionData[][]> {
	const targets = await resolveChatbots(client, settings.selection, pool);
	const several = settings.selection.scope !== 'one';
	const found: TimedLead[] = [];
	await forEachInPool(targets, pool, async (target) => {
		if (found.length > 0) return;
		const query = queryForChatbot(settings.query, target, several);
		const sample = await chatbotSample(client, query, settings).catch((error: unknown) => {
			throw several ? nameChatbotInError(error, client.provider, target) : error;
		});
		if (sample) found.push(sample);
	});
	if (found.length === 0) throw noSample(ctx, client, targets);
	const newest = found.reduce((a, b) => (Number.isNaN(a.createdAtMs) || b.createdAtMs > a.createdAtMs ? b : a));
	if (settings.run.includeConversation) await new ConversationFinder(client, settings.maxPages, pool).attach([newest.lead]);
	return [ctx.helpers.returnJsonArray([newest.lead])];
}
