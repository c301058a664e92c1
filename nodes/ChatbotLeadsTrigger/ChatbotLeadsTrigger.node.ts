import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { chatbotIdsProperty, chatbotProperty, chatbotScopeProperties, leadsSubtitle, credentialsForProviders, providerProperty, providerSpecificProperties } from '../shared/parameters/descriptions';
import { requestOptionProperties } from '../shared/parameters/options';
import { leadsListSearch } from '../shared/methods/listSearch';
import { pollChatbotLeads } from './poll';
import { VENDOR_NAMES } from '../shared/parameters/vendorText';

export class ChatbotLeadsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chatbot Leads Trigger',
		name: 'chatbotLeadsTrigger',
		icon: { light: 'file:../../icons/chatbotLeads.svg', dark: 'file:../../icons/chatbotLeads.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: leadsSubtitle('New lead: '),
		description: `Starts the workflow once for every new lead a ${VENDOR_NAMES} chatbot captures`,
		defaults: { name: 'Chatbot Leads Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsForProviders,
		properties: [
			{
				displayName:
					'Each new lead is emitted exactly once, oldest first, however long n8n was away. When the workflow is first activated the leads that already exist are not emitted, unless you choose otherwise under First Poll; a chatbot that joins later emits the leads it captured since then.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			providerProperty,
			...chatbotScopeProperties,
			...providerSpecificProperties,
			chatbotProperty,
			chatbotIdsProperty,
			{
				displayName: 'First Poll',
				name: 'firstPoll',
				type: 'options',
				default: 'skipExisting',
				description: 'What to do with the leads that already exist when the workflow is activated',
				options: [
					{
						name: 'Only New Leads',
						value: 'skipExisting',
						description: 'Remember the existing leads and emit only leads captured from now on',
					},
					{
						name: 'Also Existing Leads Since a Date',
						value: 'emitSince',
						description: 'On the first poll, also emit the leads captured since a chosen date',
					},
				],
			},
			{
				displayName: 'Emit Leads Since',
				name: 'emitSince',
				type: 'dateTime',
				default: '',
				required: true,
				description: "The first poll emits every lead captured on or after this day (from midnight in the workflow's time zone)",
				displayOptions: { show: { firstPoll: ['emitSince'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Look-Back Window (Minutes)',
						name: 'lookBackMinutes',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description:
							"How late a lead may show up in the vendor's API, after leads newer than it, and still be emitted by the next regular poll. Later ones are caught by the recheck.",
					},
					{
						displayName: 'List Chatbots Every (Minutes)',
						name: 'listEveryMinutes',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 5,
						displayOptions: { show: { '/chatbotScope': ['all'] } },
						description:
							"How often to ask the vendor for the account's chatbots. A chatbot created in between is watched from the first poll after that, and every lead it captured since the trigger started is emitted.",
					},
					{
						displayName: 'Recheck Every (Minutes)',
						name: 'recheckEveryMinutes',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'How often the trigger reads back over the whole recheck period for leads that showed up late',
					},
					{
						displayName: 'Recheck Late Leads For (Hours)',
						name: 'recheckHours',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 48,
						description:
							"How late a lead may show up in the vendor's API and still be emitted, by a recheck. 0 turns rechecks off. The stored state holds the IDs of the leads of the last hours (about 11 bytes each) and a 56-byte digest for each older hour of this period.",
					},
					...requestOptionProperties,
				],
			},
		],
	};

	methods = { listSearch: leadsListSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollChatbotLeads(this);
	}
}
