import type { IDataObject } from 'n8n-workflow';

import { derivedLeadId } from './leadId';
import { parseVendorTime, toIsoOrNull } from './time';
import type { LeadQuery, NormalizedLead } from './types';
import type { LeadProvider, MappedLead } from '../vendors/types';

/** A lead plus its time as a number, which pagination, filtering and the cursor all need. */
export interface TimedLead {
	lead: NormalizedLead;
	createdAtMs: number;
}

/**
 * The leads whose id `seen` does not hold yet, in order, each id once; their ids are added to
 * `seen`. The one way leads are deduplicated: within a page, across pages, across a scan and a recheck.
 */
export function firstOfEachId(leads: TimedLead[], seen: Set<string> = new Set()): TimedLead[] {
	const first: TimedLead[] = [];
	for (const lead of leads) {
		if (seen.has(lead.lead.id)) continue;
		seen.add(lead.lead.id);
		first.push(lead);
	}
	return first;
}

function textOrNull(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	const text = String(value).trim();
	return text === '' ? null : text;
}

function cleanFields(fields: IDataObject | undefined): IDataObject {
	const clean: IDataObject = {};
	if (!fields) return clean;
	for (const key in fields) {
		if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
		const value = fields[key];
		clean[key] = value === undefined || value === '' ? null : value;
	}
	return clean;
}

/** The shared lead shape from what an adapter mapped, the lead's id and its time (NaN: unknown). */
export function buildLead(
	providerName: string,
	chatbotId: string,
	id: string,
	mapped: Omit<MappedLead, 'id' | 'createdAt'>,
	createdAtMs: number,
	/** The chatbot's name and Robofy's project, when a run covers several chatbots (LeadQuery.leadContext). */
	leadContext?: IDataObject,
): NormalizedLead {
	return {
		id,
		provider: providerName,
		chatbotId,
		...leadContext,
		name: textOrNull(mapped.name),
		email: textOrNull(mapped.email),
		phone: textOrNull(mapped.phone),
		createdAt: toIsoOrNull(createdAtMs),
		conversationId: textOrNull(mapped.conversationId),
		fields: cleanFields(mapped.fields),
	};
}

/** Why createdAt is null: said on the lead, so a workflow can see it rather than guess. */
function unreadableTime(provider: LeadProvider, value: unknown): string {
	if (value === undefined || value === null || value === '') return `${provider.displayName} sent no time for this lead.`;
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return `${provider.displayName} sent a time that could not be read: ${JSON.stringify(text.slice(0, 60))}.`;
}

/**
 * One vendor record in the shared shape. A record without an id gets one derived from its
 * content, so it can still be de-duplicated; `createdAtMs` is NaN when the time is unreadable.
 */
export function normalizeLead(
	provider: LeadProvider,
	record: IDataObject,
	query: LeadQuery,
	includeRaw: boolean,
): TimedLead {
	const mapped = provider.mapLead(record);
	const createdAtMs = parseVendorTime(mapped.createdAt, query.timeZone);
	const id = mapped.id ?? derivedLeadId(provider.name, record);
	const lead = buildLead(provider.name, query.chatbotId, id, mapped, createdAtMs, query.leadContext);
	if (Number.isNaN(createdAtMs)) lead.createdAtError = unreadableTime(provider, mapped.createdAt);
	if (includeRaw) lead.raw = record;
	return { lead, createdAtMs };
}
