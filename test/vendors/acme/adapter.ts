import type { IDataObject } from 'n8n-workflow';

import { allFromChatbotList, listOrFail, namedItems, otherFields } from '../../../nodes/shared/vendors/common';
import type { LeadProvider, VendorList } from '../../../nodes/shared/vendors/types';
import { VendorResponseError } from '../../../nodes/shared/vendors/errors';

/**
 * Acme Bots: a vendor that exists only in the tests, the template for a new one. Its API (see
 * simulator.js beside this file):
 *   GET /bots/{botId}/contacts?page=&per_page=&from=&to=  ->  { ok: true, contacts: [...], page, per_page }
 *   GET /bots                                             ->  { ok: true, bots: [{ bot_id, title }] }
 *   errors                                                ->  { ok: false, error: { message } }
 * A contact: { contact_id, full_name, email_address, phone_number, captured_at, bot_id, ...extra }.
 */

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The envelope says whether it worked; `contacts` holds the page. */
function contactsOf(body: unknown): IDataObject[] {
	if (!isObject(body) || body.ok === undefined) throw new VendorResponseError('the response has no ok field', 'shape');
	if (body.ok !== true) throw new VendorResponseError(errorText(body) ?? 'no reason given', 'vendorError');
	if (!Array.isArray(body.contacts)) throw new VendorResponseError('the response has no contacts list', 'shape');
	return body.contacts as IDataObject[];
}

function errorText(body: unknown): string | undefined {
	const message = isObject(body) && isObject(body.error) ? body.error.message : undefined;
	return typeof message === 'string' && message.trim() ? message : undefined;
}

const chatbotList: VendorList = {
	request: () => ({ path: '/bots', qs: {} }),
	parse: (body) => listOrFail(namedItems(isObject(body) ? body.bots : undefined, ['bot_id'], ['title']), body, 'bots'),
};

const MAPPED = ['contact_id', 'full_name', 'email_address', 'phone_number', 'captured_at', 'bot_id'];

export const acme: LeadProvider = {
	name: 'acme',
	displayName: 'Acme Bots',
	credentialType: 'acmeApi',
	chatbotLabel: 'bot',
	paging: 'page',
	maxPageSize: 50,
	dateFilter: true,
	zonelessTimestamps: false,
	successStatuses: [200],
	buildRequest: (query, position, pageSize) => {
		const qs: IDataObject = { page: 'page' in position ? position.page : 1, per_page: pageSize };
		if (query.startDate) qs.from = query.startDate;
		if (query.endDate) qs.to = query.endDate;
		return { path: `/bots/${encodeURIComponent(query.chatbotId)}/contacts`, qs };
	},
	parsePage: (body) => ({ records: contactsOf(body) }),
	errorText,
	chatbotList,
	allChatbots: allFromChatbotList(chatbotList),
	mapLead: (record) => ({
		id: record.contact_id === undefined || record.contact_id === null ? null : String(record.contact_id),
		name: record.full_name,
		email: record.email_address,
		phone: record.phone_number,
		createdAt: record.captured_at,
		fields: otherFields(record, MAPPED),
	}),
	conversations: { unavailable: 'Acme Bots has no API that returns a conversation.' },
};
