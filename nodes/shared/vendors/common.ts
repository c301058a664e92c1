import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../lead/json';
import type { ChatbotTarget, LeadQuery } from '../lead/types';
import type { LeadWebhook, ListReader, MappedLead, PagePosition, VendorList, WebhookEvent } from './types';
import { VendorResponseError } from './errors';

/** The first string-like value among `keys` of `record`. */
export function pick(record: IDataObject, ...keys: string[]): unknown {
	for (const key of keys) {
		if (record[key] !== undefined && record[key] !== null) return record[key];
	}
	return undefined;
}

/**
 * The mapper for a flat contact record (id, name, email, phone, created_at): Chatbase and Chatzuri.
 * `metadata` are keys that describe the record rather than the lead, left out of `fields`.
 */
export function flatContactMapper(metadata: string[]): (record: IDataObject) => MappedLead {
	const taken = ['id', 'name', 'email', 'phone', 'created_at', 'conversation_id', ...metadata];
	return (record) => ({
		id: record.id === undefined || record.id === null ? null : String(record.id),
		name: record.name,
		email: record.email,
		phone: record.phone,
		createdAt: record.created_at,
		conversationId: record.conversation_id,
		fields: otherFields(record, taken),
	});
}

/** The keys of a record that no mapped field took: kept in `fields` so nothing is lost. */
export function otherFields(record: IDataObject, taken: readonly string[]): IDataObject {
	const fields: IDataObject = {};
	// for...in rather than Object.entries: no temporary arrays for each of 100,000 records.
	for (const key in record) {
		if (Object.prototype.hasOwnProperty.call(record, key) && !taken.includes(key)) fields[key] = record[key];
	}
	return fields;
}

export function messageOf(body: unknown): string | undefined {
	if (!isObject(body)) return undefined;
	const text = body.message ?? body.msg ?? body.error;
	return typeof text === 'string' && text.trim() ? text : undefined;
}

/** The { id, name } pairs of a list, wherever the vendor put the array and whatever it named the keys. */
export function namedItems(list: unknown, idKeys: string[], nameKeys: string[]): Array<{ id: string; name: string }> {
	const array = Array.isArray(list) ? list : isObject(list) && Array.isArray(list.data) ? list.data : undefined;
	if (!array) return [];
	return (array as unknown[]).filter(isObject).flatMap((item) => {
		const id = pick(item, ...idKeys);
		if (id === undefined) return [];
		const name = pick(item, ...nameKeys);
		return [{ id: String(id), name: name === undefined ? String(id) : String(name) }];
	});
}

export function listOrFail(items: Array<{ id: string; name: string }>, body: unknown, key: string) {
	if (items.length === 0 && !(isObject(body) && (Array.isArray(body[key]) || isObject(body[key])))) {
		throw new VendorResponseError(`the response has no ${key} list`, 'shape');
	}
	return items;
}

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

/** A listed item's name, or undefined where the vendor gave none (`namedItems` then repeats the id). */
export function givenName(item: { id: string; name: string }): string | undefined {
	return item.name === item.id ? undefined : item.name;
}

/** `allChatbots` for a vendor whose chatbot list needs no parameters (Chatbase, Chatzuri). */
export function allFromChatbotList(list: VendorList): (read: ListReader) => Promise<ChatbotTarget[]> {
	return async (read) => (await read(list, {})).map((item) => ({ chatbotId: item.id, chatbotName: givenName(item), params: {} }));
}

/**
 * Reads the webhook envelope Chatbase and Chatzuri share: the type in `eventType` (API pages) or
 * `event` (Chatzuri's guide), the data in `payload` or `data`, the chatbot under one of
 * `chatbotKeys`. Undefined when the body names no event type.
 */
export function envelopeEventReader(chatbotKeys: string[]): (body: IDataObject) => WebhookEvent | undefined {
	return (body) => {
		const type = pick(body, 'eventType', 'event');
		if (typeof type !== 'string' || type.trim() === '') return undefined;
		const chatbotId = pick(body, ...chatbotKeys);
		return {
			type: type.trim(),
			chatbotId: typeof chatbotId === 'string' || typeof chatbotId === 'number' ? String(chatbotId) : undefined,
			timestamp: pick(body, 'timestamp'),
			payload: pick(body, 'payload', 'data'),
		};
	};
}

const CONTACT_PAYLOAD_KEYS = ['customerName', 'name', 'customerEmail', 'email', 'customerPhone', 'phone', 'conversationId', 'conversation_id'];

/** A lead payload as Chatbase (`customerName`, …) or Chatzuri's guide (`name`, …) writes it. */
export const contactPayloadLead: LeadWebhook['mapLead'] = (payload) => ({
	name: pick(payload, 'customerName', 'name'),
	email: pick(payload, 'customerEmail', 'email'),
	phone: pick(payload, 'customerPhone', 'phone'),
	conversationId: pick(payload, 'conversationId', 'conversation_id'),
	fields: otherFields(payload, CONTACT_PAYLOAD_KEYS),
});
