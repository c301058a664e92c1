import type { IDataObject } from 'n8n-workflow';

import type { LeadProvider, VendorList } from '../types';
import { VendorResponseError } from '../types';
import { allFromChatbotList, flatContactMapper, isObject, listOrFail, messageOf, namedItems, pageSizeQuery } from './util';

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
};
