import type { IDataObject } from 'n8n-workflow';

import type { LeadProvider, VendorList } from '../types';
import { VendorResponseError } from '../types';
import { allFromChatbotList, flatContactMapper, isObject, listOrFail, messageOf, namedItems, pageSizeQuery } from './util';

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
};
