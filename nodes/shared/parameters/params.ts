import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { providerByName } from '../vendors';
import type { RequestSettings } from '../transport/request';
import type { LeadQuery } from '../lead/types';
import type { LeadProvider } from '../vendors/types';
import { checkDay, checkId, checkPositive, checkRange, checkTimeZone, checkWorkflowZone } from './validate';

/** getNodeParameter with the item index already bound (execute) or absent (poll). */
export type ParameterReader = (name: string, fallback: unknown, extractValue?: boolean) => unknown;

export function readProvider(node: INode, itemIndex: number, value: unknown): LeadProvider {
	const provider = providerByName(String(value));
	if (!provider) {
		throw new NodeOperationError(node, `Unknown provider "${String(value)}". Pick one from the Provider list.`, {
			itemIndex,
		});
	}
	return provider;
}

/** The provider's own top-level parameters (Robofy's project): they locate the chatbot. */
export function locatorParams(node: INode, itemIndex: number, provider: LeadProvider, read: ParameterReader): IDataObject {
	const params: IDataObject = {};
	for (const property of provider.properties ?? []) {
		const value = read(property.name, '', property.type === 'resourceLocator');
		params[property.name] = checkId(node, itemIndex, property.displayName, value);
	}
	return params;
}

/** The provider's own entries of the Filters collection (Robofy's session ID). */
function filterParams(provider: LeadProvider, read: ParameterReader): IDataObject {
	const params: IDataObject = {};
	const filters = (read('filters', {}) ?? {}) as IDataObject;
	for (const property of provider.filterProperties ?? []) {
		const value = filters[property.name];
		if (value !== undefined && String(value).trim() !== '') params[property.name] = String(value).trim();
	}
	return params;
}

/**
 * Everything of the query but the chatbot (`chatbotId` empty, `params` only the filters), for a
 * run over several chatbots; throws NodeOperationError before any request on bad input.
 * `workflowZone` (getTimezone()) is the zone the Start and End dates are days in.
 */
export function readQueryWithoutChatbot(
	node: INode,
	itemIndex: number,
	provider: LeadProvider,
	read: ParameterReader,
	withDateFilters: boolean,
	workflowZone?: string,
): LeadQuery {
	const options = (read('options', {}) ?? {}) as IDataObject;
	const query: LeadQuery = {
		chatbotId: '',
		params: filterParams(provider, read),
		timeZone: checkTimeZone(node, itemIndex, options.timeZone),
	};
	if (withDateFilters) {
		const filters = (read('filters', {}) ?? {}) as IDataObject;
		query.startDate = checkDay(node, itemIndex, 'Start Date', filters.startDate);
		query.endDate = checkDay(node, itemIndex, 'End Date', filters.endDate);
		checkRange(node, itemIndex, query.startDate, query.endDate);
		if (query.startDate || query.endDate) query.dateZone = checkWorkflowZone(node, itemIndex, workflowZone);
	}
	return query;
}

export interface RunOptions {
	includeRaw: boolean;
	includeConversation: boolean;
	maxPages: number;
	concurrency: number;
	request: RequestSettings;
}

/** A number option (of the Options collection), checked, or its default when unset. */
export function readNumberOption(node: INode, itemIndex: number, options: IDataObject, name: string, field: string, fallback: number, min: number): number {
	return options[name] === undefined ? fallback : checkPositive(node, itemIndex, field, options[name], min);
}

export function readRunOptions(node: INode, itemIndex: number, read: ParameterReader): RunOptions {
	const options = (read('options', {}) ?? {}) as IDataObject;
	const number = (name: string, field: string, fallback: number, min: number) => readNumberOption(node, itemIndex, options, name, field, fallback, min);
	return {
		includeRaw: options.includeRaw === true,
		includeConversation: options.includeConversation === true,
		maxPages: number('maxPages', 'Max Pages', 10000, 1),
		concurrency: Math.min(number('concurrency', 'Concurrent Requests', 4, 1), 10),
		request: {
			timeoutMs: number('timeoutSeconds', 'Timeout', 30, 1) * 1000,
			maxRetries: number('maxRetries', 'Retries', 3, 0),
			retryBaseDelayMs: number('retryDelayMs', 'Retry Delay', 1000, 0),
			maxRetryWaitMs: number('maxRetryWaitSeconds', 'Max Retry Wait', 60, 0) * 1000,
		},
	};
}
