import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readProvider } from '../parameters/params';
import { createVendorClient, DEFAULT_REQUEST_SETTINGS } from '../transport/request';
import type { LeadProvider, VendorList } from '../vendors/types';
import { VendorResponseError } from '../vendors/errors';

/** Someone is waiting on a dropdown: retry once, quickly. */
const PICKER_SETTINGS = { ...DEFAULT_REQUEST_SETTINGS, timeoutMs: 15_000, maxRetries: 1, retryBaseDelayMs: 300 };

function currentParams(ctx: ILoadOptionsFunctions, provider: LeadProvider): IDataObject {
	const params: IDataObject = {};
	for (const property of provider.properties ?? []) {
		const value = ctx.getCurrentNodeParameter(property.name, { extractValue: true });
		if (value !== undefined && String(value).trim() !== '') params[property.name] = String(value).trim();
	}
	return params;
}

function matches(filter: string | undefined, item: { id: string; name: string }): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return item.name.toLowerCase().includes(needle) || item.id.toLowerCase().includes(needle);
}

/** A picker's items, or an error that says what went wrong and that By ID still works. */
async function searchList(
	ctx: ILoadOptionsFunctions,
	which: 'chatbotList' | 'projectList',
	filter?: string,
): Promise<INodeListSearchResult> {
	const node = ctx.getNode();
	const provider = readProvider(node, 0, ctx.getCurrentNodeParameter('provider'));
	const list: VendorList | undefined = provider[which];
	const what = which === 'projectList' ? 'projects' : `${provider.chatbotLabel}s`;
	if (!list) {
		throw new NodeOperationError(node, provider.noChatbotListHint ?? `${provider.displayName} has no list of ${what}. Switch to By ID.`);
	}
	const params = currentParams(ctx, provider);
	const missing = (provider.properties ?? []).find((property) => params[property.name] === undefined);
	if (which === 'chatbotList' && missing) {
		throw new NodeOperationError(
			node,
			`Pick the ${provider.displayName} ${missing.displayName.toLowerCase()} first: the list of ${what} depends on it.`,
		);
	}
	const client = await createVendorClient(ctx, provider, PICKER_SETTINGS);
	try {
		const items = list.parse(await client.get(list.request(params))).filter((item) => matches(filter, item));
		return { results: items.map((item) => ({ name: item.name === item.id ? item.id : `${item.name} (${item.id})`, value: item.id })) };
	} catch (error) {
		// A rejected key is fixed in the credential; anything else, By ID still works.
		const keyRejected = error instanceof NodeApiError && error.httpCode === '401';
		const reason =
			error instanceof VendorResponseError
				? `it answered in an unexpected shape (${error.message}).`
				: error instanceof Error
					? error.message
					: String(error);
		const advice = keyRejected ? '' : ' Switch to By ID and paste the ID instead.';
		throw new NodeOperationError(node, `Could not load the ${provider.displayName} ${what}: ${reason}${advice}`);
	}
}

/** listSearch methods both nodes expose; which vendor list they read depends on the provider. */
export const leadsListSearch = {
	async searchChatbots(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return await searchList(this, 'chatbotList', filter);
	},
	async searchProjects(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return await searchList(this, 'projectList', filter);
	},
};
