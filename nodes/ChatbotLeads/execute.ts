import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readChatbotSelection, resolveChatbots } from '../shared/parameters/chatbots';
import { collectLeadsOfChatbots } from './collect';
import { ConversationFinder } from '../shared/fetch/conversations';
import { readProvider, readQueryWithoutChatbot, readRunOptions, type ParameterReader } from '../shared/parameters/params';
import { TaskPool } from '../shared/transport/pool';
import { createVendorClient } from '../shared/transport/request';
import { checkLimit } from '../shared/parameters/validate';

/** Appends one input item's leads to `output`; nothing is appended if fetching fails. */
async function appendLeadsForItem(ctx: IExecuteFunctions, itemIndex: number, output: INodeExecutionData[]): Promise<void> {
	const node = ctx.getNode();
	const read: ParameterReader = (name, fallback, extractValue) =>
		ctx.getNodeParameter(name, itemIndex, fallback, { extractValue: extractValue === true });
	const provider = readProvider(node, itemIndex, read('provider', ''));
	const selection = readChatbotSelection(node, itemIndex, provider, read);
	const baseQuery = readQueryWithoutChatbot(node, itemIndex, provider, read, true, ctx.getTimezone());
	const options = readRunOptions(node, itemIndex, read);
	const limit = read('returnAll', false) === true ? undefined : checkLimit(node, itemIndex, read('limit', 50));
	const client = await createVendorClient(ctx, provider, options.request);
	const severalChatbots = selection.scope !== 'one';
	const pool = new TaskPool({ ...options.request, concurrency: options.concurrency, retryRateLimited: severalChatbots });
	const targets = await resolveChatbots(client, selection, pool);
	const leadsPerChatbot = await collectLeadsOfChatbots(
		client,
		targets,
		baseQuery,
		{ limit, includeRaw: options.includeRaw, paging: { maxPages: options.maxPages, concurrency: options.concurrency }, severalChatbots },
		pool,
	);
	if (options.includeConversation) await new ConversationFinder(client, options.maxPages, pool).attach(leadsPerChatbot.flat());
	// One push per lead: push(...leads) overflows the call stack past about 120,000 leads.
	for (const leads of leadsPerChatbot) {
		for (const lead of leads) output.push({ json: lead, pairedItem: { item: itemIndex } });
	}
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Errors from the shared layer are already node errors; anything else becomes one. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), errorText(error), { itemIndex });
}

/** Chatbot Leads' execute(): one run of the shared collector per input item. */
export async function executeChatbotLeads(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			await appendLeadsForItem(ctx, itemIndex, output);
		} catch (error) {
			if (ctx.continueOnFail()) {
				output.push({ json: { error: errorText(error) }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw asNodeError(ctx, error, itemIndex);
		}
	}
	return [output];
}
