import type { INodeProperties } from 'n8n-workflow';

import { PROVIDERS, WEBHOOK_PROVIDERS } from '../vendors';
import { conversationRules, COUNTING_VENDORS, vendorNames, ZONELESS_VENDORS } from './vendorText';

// The Options collection's entries: what each lead carries, and how patient to be with the vendor.

const CONVERSATION_SHAPE = '(messages with role, text and time, and `matchedBy`: how it was found), or null with `conversationError` saying why.';

/** The Instant Trigger's Include Conversation: fetched inside the execution, after the vendor got its answer. */
export const instantConversationProperty: INodeProperties = {
	displayName: 'Include Conversation',
	name: 'includeConversation',
	type: 'boolean',
	default: false,
	description: `Whether to add the chat behind each lead as \`conversation\` ${CONVERSATION_SHAPE} ${conversationRules(WEBHOOK_PROVIDERS)} Needs the vendor's API key (credential type API Credential, not Webhook Secret Only); fetched after the vendor got its answer, so the webhook is never slowed down. One request per chatbot and day.`,
};

/** Options both nodes share: output shape and how patient to be with the vendor. */
export const requestOptionProperties: INodeProperties[] = [
	{
		displayName: 'Concurrent Requests',
		name: 'concurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10 },
		default: 4,
		description:
			`How many requests to send at once: chatbots fetched or polled together (Chatbots: All or Several), and in the Chatbot Leads node pages read ahead where the vendor reports how many leads there are (${COUNTING_VENDORS}). A 429 lowers it for the rest of the run.`,
	},
	{
		displayName: 'Include Conversation',
		name: 'includeConversation',
		type: 'boolean',
		default: false,
		description: `Whether to add the chat behind each lead as \`conversation\` ${CONVERSATION_SHAPE} ${conversationRules(PROVIDERS)} Costs one request per chatbot and day`,
	},
	{
		displayName: 'Include Raw Record',
		name: 'includeRaw',
		type: 'boolean',
		default: false,
		description: "Whether to add the vendor's original record to each lead as `raw`",
	},
	{
		displayName: 'Max Pages',
		name: 'maxPages',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 10000,
		description: 'Stop with an error after this many pages, so a misbehaving server cannot make a run endless',
	},
	{
		displayName: 'Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3,
		description: 'How often to retry a request the vendor rate-limited (429) or failed (5xx, connection reset)',
	},
	{
		displayName: 'Retry Delay (Ms)',
		name: 'retryDelayMs',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1000,
		description: 'First wait before a retry; it doubles on each retry (with jitter) unless the vendor says how long to wait',
	},
	{
		displayName: 'Max Retry Wait (S)',
		name: 'maxRetryWaitSeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 60,
		description: 'The most time to spend waiting between retries of one request before giving up',
	},
	{
		displayName: 'Time Zone of Vendor Timestamps',
		name: 'timeZone',
		type: 'string',
		default: 'UTC',
		placeholder: 'e.g. Europe/Berlin',
		displayOptions: { show: { '/provider': ZONELESS_VENDORS.map((provider) => provider.name) } },
		description: `${vendorNames(ZONELESS_VENDORS)} writes times without a zone. They are read as UTC unless you name the zone its account uses (an IANA name).`,
	},
	{
		displayName: 'Timeout (S)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		description: 'How long to wait for the vendor to answer one request',
	},
];
