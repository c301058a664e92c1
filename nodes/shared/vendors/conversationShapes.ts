import type { IDataObject } from 'n8n-workflow';

import type { ConversationSource, VendorConversation } from './types';
import { VendorResponseError } from './errors';
import { isObject } from '../lead/json';
import { pick } from './common';

/** Chatbase's `customer` is not documented: an email string, or an object holding one. */
function customerEmail(customer: unknown): string | null {
	if (typeof customer === 'string') return customer.includes('@') ? customer : null;
	if (!isObject(customer)) return null;
	const email = pick(customer, 'email', 'customerEmail');
	return typeof email === 'string' ? email : null;
}

function messagesOf(list: unknown): VendorConversation['messages'] {
	if (!Array.isArray(list)) return [];
	return (list as unknown[]).filter(isObject).map((message) => ({
		role: pick(message, 'role', 'sender', 'type'),
		text: pick(message, 'content', 'text', 'message'),
		at: pick(message, 'created_at', 'createdAt', 'timestamp'),
	}));
}

function conversationOf(item: IDataObject): VendorConversation | undefined {
	const id = pick(item, 'id', 'conversationId', 'session_id');
	if (id === undefined) return undefined;
	return {
		id: String(id),
		startedAt: pick(item, 'created_at', 'createdAt'),
		source: pick(item, 'source'),
		customerEmail: customerEmail(item.customer ?? item.customerEmail),
		messages: messagesOf(item.messages),
	};
}

/**
 * `GET /get-conversations` of Chatbase v1 and Chatzuri: a chatbot's conversations of whole days
 * (`startDate`/`endDate`), `page` and `size` (at most 100), answered as `{ data: [...] }`.
 */
export function conversationsByDay(idParam: string): NonNullable<ConversationSource['byDay']> {
	return {
		pageSize: 100,
		request: (chatbotId, day, page, pageSize) => ({
			path: '/get-conversations',
			qs: { [idParam]: chatbotId, startDate: day, endDate: day, page: String(page), size: String(pageSize) },
		}),
		parse: (body) => {
			const data = isObject(body) ? body.data : undefined;
			if (!Array.isArray(data)) throw new VendorResponseError('the conversations response has no data list', 'shape');
			return (data as unknown[]).filter(isObject).flatMap((item) => conversationOf(item) ?? []);
		},
	};
}

/**
 * Robofy's session chats, `GET /ai-agent/inbox/chats/{chatbotId}/{sessionId}`. Its answer is not
 * published: the messages are read from `data.messages`, `data.chats` or `data` itself.
 */
export const robofySessionChats: NonNullable<ConversationSource['byId']> = {
	request: (chatbotId, sessionId) => ({
		path: `/ai-agent/inbox/chats/${encodeURIComponent(chatbotId)}/${encodeURIComponent(sessionId)}`,
		qs: {},
	}),
	parse: (body, sessionId) => {
		const data = isObject(body) ? body.data : undefined;
		const list = Array.isArray(data) ? data : isObject(data) ? (data.messages ?? data.chats) : undefined;
		if (!Array.isArray(list)) throw new VendorResponseError('the session chats response has no message list', 'shape');
		const messages = messagesOf(list);
		if (messages.length === 0) return undefined;
		const first = messages[0];
		return {
			id: sessionId,
			startedAt: (isObject(data) ? pick(data, 'created_at', 'createdAt') : undefined) ?? first.at,
			source: isObject(data) ? pick(data, 'source') : undefined,
			customerEmail: null,
			messages,
		};
	},
};
