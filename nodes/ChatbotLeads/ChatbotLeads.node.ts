import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { chatbotIdsProperty, chatbotProperty, chatbotScopeProperties, leadsSubtitle, credentialsForProviders, providerFilterProperties, providerProperty, providerSpecificProperties } from '../shared/parameters/descriptions';
import { requestOptionProperties } from '../shared/parameters/options';
import { leadsListSearch } from '../shared/methods/listSearch';
import { executeChatbotLeads } from './execute';
import { VENDOR_NAMES } from '../shared/parameters/vendorText';

export class ChatbotLeads implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chatbot Leads',
		name: 'chatbotLeads',
		icon: { light: 'file:../../icons/chatbotLeads.svg', dark: 'file:../../icons/chatbotLeads.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: leadsSubtitle(),
		description: `Get the leads your ${VENDOR_NAMES} chatbot captured, in one shape`,
		defaults: { name: 'Chatbot Leads' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsForProviders,
		properties: [
			providerProperty,
			...chatbotScopeProperties,
			...providerSpecificProperties,
			chatbotProperty,
			chatbotIdsProperty,
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				description: 'Whether to return all results or only up to a given limit',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Max number of results to return',
				displayOptions: { show: { returnAll: [false] } },
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: [
					{
						displayName: 'Start Date',
						name: 'startDate',
						type: 'dateTime',
						default: '',
						description: "Only leads captured on or after this day, a whole day in the workflow's time zone (the time of day is ignored)",
					},
					{
						displayName: 'End Date',
						name: 'endDate',
						type: 'dateTime',
						default: '',
						description: "Only leads captured on or before this day, a whole day in the workflow's time zone (the time of day is ignored)",
					},
					...providerFilterProperties,
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: requestOptionProperties,
			},
		],
	};

	methods = { listSearch: leadsListSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeChatbotLeads(this);
	}
}
