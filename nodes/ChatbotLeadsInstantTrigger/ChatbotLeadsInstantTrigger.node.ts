import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { webhookVendorCredentials, leadsSubtitle, optionalChatbotProperty, providerPropertyFor } from '../shared/parameters/descriptions';
import { instantConversationProperty } from '../shared/parameters/options';
import { receiveLeadWebhook } from './webhook';
import { WEBHOOK_SECRET_AUTH, webhookSecretCheck } from './settings';
import { recordExecutionStart } from './execution';
import { leadsListSearch } from '../shared/methods/listSearch';
import { WEBHOOK_PROVIDERS } from '../shared/vendors';
import { NO_WEBHOOK_VENDORS, vendorNames, WEBHOOK_CHATBOT_WORDS, WEBHOOK_VENDOR_NAMES } from '../shared/parameters/vendorText';

export class ChatbotLeadsInstantTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chatbot Leads Instant Trigger',
		name: 'chatbotLeadsInstantTrigger',
		icon: { light: 'file:../../icons/chatbotLeads.svg', dark: 'file:../../icons/chatbotLeads.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: leadsSubtitle('Instant: ', 'every chatbot'),
		description: `Starts the workflow the moment a ${WEBHOOK_VENDOR_NAMES} chatbot captures a lead, by webhook`,
		defaults: { name: 'Chatbot Leads Instant Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'chatbotLeadsWebhookApi',
				required: true,
				testedBy: 'webhookSecretCheck',
				displayOptions: { show: { authentication: [WEBHOOK_SECRET_AUTH] } },
			},
			...webhookVendorCredentials,
		],
		// responseData '' (not n8n's default 'firstEntryJson'): the answer is the node's webhookResponse.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
		properties: [
			{
				displayName: `Paste this node's Production URL (Webhook URLs, above) into your vendor's dashboard; each lead then starts the workflow as it is captured, once. Without a Webhook Signing Secret in the credential, anyone who knows the URL can send leads. No API key (or a plan without API access)? When you create the credential, choose Webhook Secret Only in the dropdown at the top right of its dialog.${NO_WEBHOOK_VENDORS.length > 0 ? ` ${vendorNames(NO_WEBHOOK_VENDORS, 'and')} send no lead webhooks: use the Chatbot Leads Trigger for them.` : ''}`,
				name: 'notice',
				type: 'notice',
				default: '',
			},
			providerPropertyFor(WEBHOOK_PROVIDERS, 'The chatbot vendor that sends the lead webhooks'),
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				// Workflows saved before this parameter existed used the vendor credential.
				default: 'apiCredential',
				options: [
					{
						name: 'API Credential',
						value: 'apiCredential',
						description: "The vendor's credential (API key, Webhook Signing Secret). Needed for Include Conversation.",
					},
					{
						name: 'Webhook Secret Only',
						value: WEBHOOK_SECRET_AUTH,
						description: 'No API key: a credential that holds only the Webhook Signing Secret',
					},
				],
			},
			...WEBHOOK_PROVIDERS.map((provider) => ({
				displayName: provider.webhook?.setupHint ?? '',
				name: `${provider.name}WebhookSetup`,
				type: 'notice' as const,
				default: '',
				displayOptions: { show: { provider: [provider.name] } },
			})),
			optionalChatbotProperty(
				`Only leads of this chatbot${WEBHOOK_CHATBOT_WORDS}. Leave empty to accept every chatbot of the account; events of other chatbots are acknowledged and not emitted.`,
			),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					instantConversationProperty,
					{
						displayName: 'Include Other Events',
						name: 'includeOtherEvents',
						type: 'boolean',
						default: false,
						description:
							"Whether to also emit the vendor's other events (such as message.received) as items with eventType and payload. Off: they are acknowledged and dropped.",
					},
					{
						displayName: 'Include Raw Record',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description: 'Whether to add the webhook body as the vendor sent it to each item as `raw`',
					},
				],
			},
		],
	};

	methods = { listSearch: leadsListSearch, credentialTest: { webhookSecretCheck } };

	// The vendors have no API to register a webhook: the user pastes the URL into their dashboard,
	// so there is nothing to look up, create or delete on their side.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveLeadWebhook(this);
	}

	// n8n runs this as the first step of the execution a webhook started (execute comes before a
	// webhook node's pass-through in n8n-core): it remembers the events there, where n8n saves it.
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await recordExecutionStart(this);
	}
}
