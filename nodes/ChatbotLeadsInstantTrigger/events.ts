import type { IDataObject } from 'n8n-workflow';

import { isObject } from '../shared/lead/json';
import { derivedLeadId } from '../shared/lead/leadId';
import { buildLead } from '../shared/lead/normalize';
import { parseVendorTime, toIsoOrNull } from '../shared/lead/time';
import type { WebhookEvent } from '../shared/vendors/types';
import type { InstantSettings } from './settings';

// A webhook body read as an event, and an event as the item the trigger emits.

export type Parsed = { body: IDataObject } | { problem: string };

export function parseBody(rawBody: Buffer): Parsed {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
	} catch (error) {
		return { problem: `The request body is not valid JSON (${(error as Error).message}).` };
	}
	return isObject(body) ? { body } : { problem: 'The request body is JSON but not an object, so it is not a webhook event.' };
}

/** The lead of a lead event's payload, or undefined when there is none. */
export function leadPayload(event: WebhookEvent): IDataObject | undefined {
	const payload = event.payload;
	if (!isObject(payload)) return undefined;
	const hasValue = Object.values(payload).some((value) => value !== null && value !== undefined && String(value).trim() !== '');
	return hasValue ? payload : undefined;
}

/** The event's own time, else the time it arrived. */
function eventTimeMs(event: WebhookEvent, receivedMs: number): number {
	const ms = parseVendorTime(event.timestamp, 'UTC');
	return Number.isNaN(ms) ? receivedMs : ms;
}

export function leadItem(settings: InstantSettings, event: WebhookEvent, payload: IDataObject, body: IDataObject, receivedMs: number) {
	const { provider, webhook } = settings;
	const chatbotId = event.chatbotId ?? settings.chatbotId;
	const lead = buildLead(provider.name, chatbotId, '', webhook.mapLead(payload), eventTimeMs(event, receivedMs));
	// What the event says, never when it arrived: a redelivery gets the same id.
	const eventTime = toIsoOrNull(parseVendorTime(event.timestamp, 'UTC'));
	lead.id = derivedLeadId(provider.name, [chatbotId, eventTime, lead.name, lead.email, lead.phone, lead.conversationId, lead.fields]);
	if (settings.includeRaw) lead.raw = body;
	return lead;
}

export function otherEventItem(settings: InstantSettings, event: WebhookEvent, body: IDataObject, receivedMs: number): IDataObject {
	const item: IDataObject = {
		id: derivedLeadId(`${settings.provider.name}_event`, body),
		provider: settings.provider.name,
		chatbotId: event.chatbotId ?? (settings.chatbotId || null),
		eventType: event.type,
		createdAt: new Date(eventTimeMs(event, receivedMs)).toISOString(),
		payload: event.payload ?? null,
	};
	if (settings.includeRaw) item.raw = body;
	return item;
}

