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

function leadsArray(body: unknown): IDataObject[] {
	if (isObject(body) && Array.isArray(body.data)) return body.data as IDataObject[];
	throw new VendorResponseError('the response has no data list', 'shape');
}

// An older page documents this list; its shape is loosely specified, so read it leniently.
const chatbotList: VendorList = {
	request: () => ({ path: '/get-chatbots', qs: {} }),
	parse: (body) =>
		listOrFail(
			namedItems(isObject(body) ? (body.chatbots ?? body.agents ?? body.data) : undefined, ['chatbot_id', 'agent_id', 'id'], ['chatbot_name', 'agent_name', 'name']),
			body,
			'chatbots',
		),
};

export const chatzuri: LeadProvider = {
	name: 'chatzuri',
	displayName: 'Chatzuri',
	credentialType: 'chatzuriApi',
	chatbotLabel: 'agent',
	paging: 'page',
	maxPageSize: 100,
	dateFilter: true,
	zonelessTimestamps: false,
	// The documented success status is 202.
	successStatuses: [200, 202],
	buildRequest: (query, position, pageSize) => ({
		path: '/get-leads',
		qs: pageSizeQuery('agentId', query, position, pageSize),
	}),
	parsePage: (body) => ({ records: leadsArray(body) }),
	errorText: messageOf,
	chatbotList,
	allChatbots: allFromChatbotList(chatbotList),
	mapLead: flatContactMapper(['chatbot_id', 'chatbot_owner_user_id']),
	// Two published shapes: the developer guide's `{ event, timestamp, agent_id, data: { name, … } }`
	// and the API page's Chatbase-like `{ eventType, agentId | chatbotId, payload: { customerName, … } }`
	// (older copy: `leads.submit`, SHA-1). Signed only when a secret is set: `sha256=<HMAC>`.
	webhook: {
		setupHint:
			"Chatzuri: open the agent, go to Settings > Webhooks, paste this node's Production URL, select the lead.submit event and, to have requests signed, set a signing secret (the same one goes in the credential).",
		signatureHeader: 'x-chatzuri-signature',
		signatureAlgorithms: ['sha256', 'sha1'],
		leadEvents: ['lead.submit', 'leads.submit'],
		readEvent: envelopeEventReader(['agentId', 'agent_id', 'chatbotId', 'chatbot_id']),
		mapLead: contactPayloadLead,
	},
	conversations: { byDay: conversationsByDay('agentId') },
};
