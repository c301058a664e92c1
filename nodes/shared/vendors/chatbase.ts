import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../lead/json';
import type { LeadProvider, VendorList } from './types';
import { VendorResponseError } from './errors';
import { conversationsByDay } from './conversationShapes';
import {
	allFromChatbotList,
	contactPayloadLead,
	envelopeEventReader,
	flatContactMapper,
	listOrFail,
	messageOf,
	namedItems,
	pageSizeQuery,
} from './common';

/** Chatbase documents `{ collectedCustomers: [...] }`, but live responses put the array under `.data`. */
function leadsArray(body: unknown): IDataObject[] {
	const customers = isObject(body) ? body.collectedCustomers : undefined;
	if (Array.isArray(customers)) return customers as IDataObject[];
	if (isObject(customers) && Array.isArray(customers.data)) return customers.data as IDataObject[];
	throw new VendorResponseError('the response has no collectedCustomers list', 'shape');
}

const chatbotList: VendorList = {
	request: () => ({ path: '/get-chatbots', qs: {} }),
	parse: (body) => listOrFail(namedItems(isObject(body) ? body.chatbots : undefined, ['id', 'chatbotId'], ['name']), body, 'chatbots'),
};

export const chatbase: LeadProvider = {
	name: 'chatbase',
	displayName: 'Chatbase',
	credentialType: 'chatbaseApi',
	chatbotLabel: 'chatbot',
	paging: 'page',
	maxPageSize: 100,
	dateFilter: true,
	zonelessTimestamps: false,
	successStatuses: [200],
	buildRequest: (query, position, pageSize) => ({
		path: '/get-leads',
		qs: pageSizeQuery('chatbotId', query, position, pageSize),
	}),
	parsePage: (body) => ({ records: leadsArray(body) }),
	errorText: messageOf,
	chatbotList,
	allChatbots: allFromChatbotList(chatbotList),
	mapLead: flatContactMapper(['chatbot_id', 'account_id']),
	// `{ eventType: 'leads.submit', chatbotId, payload: { conversationId, customerEmail, … } }`,
	// signed (when a secret is set) with a hex HMAC-SHA1 of the raw body. No id, no time.
	webhook: {
		setupHint:
			"Chatbase: in your chatbot's settings, add a webhook with this node's Production URL and the event leads.submit. Chatbase's docs describe the events and the x-chatbase-signature header but do not name the menu; look for Webhooks in the chatbot's Settings or Integrations.",
		signatureHeader: 'x-chatbase-signature',
		signatureAlgorithms: ['sha1'],
		leadEvents: ['leads.submit', 'lead.submit'],
		readEvent: envelopeEventReader(['chatbotId', 'chatbot_id']),
		mapLead: contactPayloadLead,
	},
	conversations: { byDay: conversationsByDay('chatbotId') },
};
