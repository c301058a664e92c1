import type { IDataObject } from 'n8n-workflow';

import type { LeadProvider, LeadQuery, PagePosition } from '../types';
import { VendorResponseError } from '../types';
import { isObject, listOrFail, messageOf, namedItems, otherFields } from './util';

const MAPPED = ['id', 'name', 'email', 'phone', 'created_at', 'chatbot_id', 'account_id'];

/** Page/size query shared by Chatbase and Chatzuri, which differ only in the id parameter's name. */
export function pageSizeQuery(
	idParam: string,
	query: LeadQuery,
	position: PagePosition,
	pageSize: number,
): IDataObject {
	const qs: IDataObject = { [idParam]: query.chatbotId };
	if (query.startDate) qs.startDate = query.startDate;
	if (query.endDate) qs.endDate = query.endDate;
	qs.page = String('page' in position ? position.page : 1);
	qs.size = String(pageSize);
	return qs;
}

/** Chatbase documents `{ collectedCustomers: [...] }`, but live responses put the array under `.data`. */
function leadsArray(body: unknown): IDataObject[] {
	const customers = isObject(body) ? body.collectedCustomers : undefined;
	if (Array.isArray(customers)) return customers as IDataObject[];
	if (isObject(customers) && Array.isArray(customers.data)) return customers.data as IDataObject[];
	throw new VendorResponseError('the response has no collectedCustomers list', 'shape');
}

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
	chatbotList: {
		request: () => ({ path: '/get-chatbots', qs: {} }),
		parse: (body) =>
			listOrFail(namedItems(isObject(body) ? body.chatbots : undefined, ['id', 'chatbotId'], ['name']), body, 'chatbots'),
	},
	mapLead: (record) => ({
		id: record.id === undefined || record.id === null ? null : String(record.id),
		name: record.name,
		email: record.email,
		phone: record.phone,
		createdAt: record.created_at,
		conversationId: record.conversation_id,
		fields: otherFields(record, [...MAPPED, 'conversation_id']),
	}),
};
