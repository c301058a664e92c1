import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { PROVIDERS, WEBHOOK_PROVIDERS } from '../vendors';
import { ALL_CHATBOTS_NOTE, IDS_PER_VENDOR, ONE_ID_PER_VENDOR } from './vendorText';
import type { LeadProvider } from '../vendors/types';

function onlyFor(provider: string, property: INodeProperties, path = 'provider'): INodeProperties {
	return { ...property, displayOptions: { show: { [path]: [provider] } } };
}

/** Each provider's credential, asked for only when that provider is picked (and `show` holds). */
export function credentialsFor(providers: LeadProvider[], show: Record<string, string[]> = {}): INodeCredentialDescription[] {
	return providers.map((provider) => ({
		name: provider.credentialType,
		required: true,
		displayOptions: { show: { provider: [provider.name], ...show } },
	}));
}

export const credentialsForProviders = credentialsFor(PROVIDERS);

/** The Instant Trigger's vendor credentials, for Authentication: API Credential. */
export const webhookVendorCredentials = credentialsFor(WEBHOOK_PROVIDERS, { authentication: ['apiCredential'] });

const displayNames = JSON.stringify(Object.fromEntries(PROVIDERS.map((provider) => [provider.name, provider.displayName])));
/** The chatbot as the canvas shows it: the locator may reach a subtitle as an object or as its value. */
const oneChatbotText = '($parameter["chatbotId"].cachedResultName || $parameter["chatbotId"].value || $parameter["chatbotId"] || "")';
const chatbotText = `($parameter["chatbotScope"] === "all" ? "all chatbots" : $parameter["chatbotScope"] === "list" ? "several chatbots" : ${oneChatbotText})`;

/** e.g. "Chatbase: Sales bot", under the node on the canvas; `noChatbot` stands in for an empty chatbot. */
export function leadsSubtitle(prefix = '', noChatbot = ''): string {
	const chatbot = noChatbot ? `(${chatbotText} || ${JSON.stringify(noChatbot)})` : chatbotText;
	return `={{${JSON.stringify(prefix)} + (${displayNames}[$parameter["provider"]] || $parameter["provider"]) + ": " + ${chatbot}}}`;
}

/** The Provider dropdown over `providers`. */
export function providerPropertyFor(providers: LeadProvider[], description: string): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		// A literal (the scanner's lint wants one): nodes saved without a provider were Chatbase nodes.
		default: 'chatbase',
		description,
		options: providers.map((provider) => ({ name: provider.displayName, value: provider.name })),
	};
}

export const providerProperty = providerPropertyFor(PROVIDERS, 'The chatbot vendor that captured the leads');

const listingProviders = PROVIDERS.filter((provider) => provider.allChatbots).map((provider) => provider.name);
const nonListingProviders = PROVIDERS.filter((provider) => !provider.allChatbots).map((provider) => provider.name);

const SCOPE_OPTIONS = {
	all: {
		name: 'All Chatbots of the Account',
		value: 'all',
		description: `Every chatbot the API key can see${ALL_CHATBOTS_NOTE}, listed again on each run`,
	},
	one: { name: 'One Chatbot', value: 'one', description: 'The chatbot picked below' },
	list: { name: 'Several by ID', value: 'list', description: 'The chatbots whose IDs you enter' },
};

function scopeProperty(providers: string[], options: Array<keyof typeof SCOPE_OPTIONS>): INodeProperties {
	return {
		displayName: 'Chatbots',
		name: 'chatbotScope',
		type: 'options',
		noDataExpression: true,
		default: 'one',
		description: 'Whose leads to get: one chatbot, every chatbot of the account, or several by ID',
		displayOptions: { show: { provider: providers } },
		options: options.map((option) => SCOPE_OPTIONS[option]),
	};
}

/**
 * Chatbots: One, All or Several by ID. All is offered only for vendors that can list their
 * chatbots, hence one property per group of vendors (n8n shows the one whose provider matches).
 */
export const chatbotScopeProperties: INodeProperties[] = [
	...(listingProviders.length > 0 ? [scopeProperty(listingProviders, ['all', 'one', 'list'])] : []),
	...(nonListingProviders.length > 0 ? [scopeProperty(nonListingProviders, ['one', 'list'])] : []),
];

export const chatbotIdsProperty: INodeProperties = {
	displayName: 'Chatbot IDs',
	name: 'chatbotIds',
	type: 'string',
	typeOptions: { rows: 3 },
	default: '',
	required: true,
	placeholder: 'e.g. ckl123abc456, ckl789def012',
	description: `The IDs, separated by commas or new lines: ${IDS_PER_VENDOR}`,
	displayOptions: { show: { chatbotScope: ['list'] } },
};

/** Hidden for Chatbots: All and Several; hide, not show, so a node without that parameter (saved before it existed) shows it. */
const ONE_CHATBOT_ONLY = { hide: { chatbotScope: ['all', 'list'] } };

/** A chatbot ID goes into a URL path: nothing that would change the path or query. */
function chatbotIdValidation(allowEmpty: boolean) {
	return [
		{
			type: 'regex',
			properties: { regex: allowEmpty ? '^[^/?#\\s]*$' : '^[^/?#\\s]+$', errorMessage: 'Paste only the ID, without spaces, "/", "?" or "#"' },
		},
	];
}

function chatbotLocator(required: boolean, description: string): INodeProperties {
	return {
		displayName: 'Chatbot',
		name: 'chatbotId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a chatbot...',
				typeOptions: { searchListMethod: 'searchChatbots', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. ckl123abc456',
				validation: chatbotIdValidation(!required),
			},
		],
	};
}

export const chatbotProperty: INodeProperties = {
	...chatbotLocator(
		true,
		`The chatbot whose leads to get: the ${ONE_ID_PER_VENDOR}`,
	),
	displayOptions: ONE_CHATBOT_ONLY,
};

/** The chatbot where empty means every chatbot of the account (the Instant Trigger). */
export function optionalChatbotProperty(description: string): INodeProperties {
	return chatbotLocator(false, description);
}

/** A parameter that locates one chatbot (Robofy's project): All lists every one of them instead. */
function locatorFor(provider: string, property: INodeProperties): INodeProperties {
	return { ...property, displayOptions: { show: { provider: [provider] }, hide: { chatbotScope: ['all'] } } };
}

/** Parameters only one vendor has (Robofy's project), and a note where it has no chatbot list. */
export const providerSpecificProperties: INodeProperties[] = PROVIDERS.flatMap((provider) => [
	...(provider.noChatbotListHint
		? [
				{
					displayName: provider.noChatbotListHint,
					name: `${provider.name}ChatbotNotice`,
					type: 'notice' as const,
					default: '',
					displayOptions: { show: { provider: [provider.name] }, ...ONE_CHATBOT_ONLY },
				},
			]
		: []),
	...(provider.properties ?? []).map((property) => locatorFor(provider.name, property)),
]);

export const providerFilterProperties: INodeProperties[] = PROVIDERS.flatMap((provider) =>
	(provider.filterProperties ?? []).map((property) => onlyFor(provider.name, property, '/provider')),
);

