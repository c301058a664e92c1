import type { IDataObject } from 'n8n-workflow';

import { derivedLeadId } from '../lead/leadId';
import type { LeadProvider } from './types';
import { VendorResponseError } from './errors';
import { isObject } from '../lead/json';
import { messageOf, otherFields } from './common';

const MAPPED = ['bot_uid', 'conversation_uid', 'created_at', 'email', 'name', 'phone'];

/** Chatof.ai leads have no id: derive one from what identifies a lead and never changes. */
export function chatofLeadId(record: IDataObject): string {
	const createdAt = Date.parse(String(record.created_at ?? ''));
	// The instant, not the string, so "+00:00" and "Z" spellings of one time give one id.
	return derivedLeadId('chatof', [
		record.bot_uid ?? null,
		record.conversation_uid ?? null,
		Number.isNaN(createdAt) ? (record.created_at ?? null) : new Date(createdAt).toISOString(),
		record.email ?? null,
		record.phone ?? null,
		record.name ?? null,
	]);
}

/** `code` is the real status: a 200 with code != 0 is a failure, its reason in `msg` or `message`. */
function checkCode(body: IDataObject): void {
	if (body.code === 0 || body.code === '0') return;
	const reason = messageOf(body) ?? 'no reason given';
	throw new VendorResponseError(`${reason} (code ${String(body.code)})`, 'vendorError', String(body.code));
}

export const chatofAi: LeadProvider = {
	name: 'chatofAi',
	displayName: 'Chatof.ai',
	credentialType: 'chatofAiApi',
	chatbotLabel: 'bot UID',
	paging: 'pageWithTotal',
	maxPageSize: 100,
	dateFilter: true,
	zonelessTimestamps: false,
	successStatuses: [200],
	buildRequest: (query, position, pageSize) => {
		const qs: IDataObject = {
			page: 'page' in position ? position.page : 1,
			page_size: pageSize,
		};
		if (query.startDate) qs.start_date = query.startDate;
		if (query.endDate) qs.end_date = query.endDate;
		return { path: `/chatbot/${encodeURIComponent(query.chatbotId)}/leads`, qs };
	},
	parsePage: (body) => {
		if (!isObject(body) || body.code === undefined) {
			throw new VendorResponseError('the response has no code field', 'shape');
		}
		checkCode(body);
		const data = body.data;
		if (!isObject(data) || !Array.isArray(data.leads)) {
			throw new VendorResponseError('the response has no data.leads list', 'shape');
		}
		const total = Number(data.total);
		return { records: data.leads as IDataObject[], total: Number.isFinite(total) ? total : undefined };
	},
	errorText: messageOf,
	noChatbotListHint:
		'Chatof.ai has no API that lists chatbots. Switch Chatbot to By ID and paste the bot UID from the chatbot\'s settings in Chatof.ai.',
	mapLead: (record) => ({
		id: chatofLeadId(record),
		name: record.name,
		email: record.email,
		phone: record.phone,
		createdAt: record.created_at,
		conversationId: record.conversation_uid,
		fields: otherFields(record, MAPPED),
	}),
	conversations: {
		unavailable: 'Chatof.ai has no API that returns a past conversation: only its id comes with the lead, as conversationId.',
	},
};
