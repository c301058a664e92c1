import type { IDataObject } from 'n8n-workflow';

import type { TaskPool } from '../transport/pool';
import { DAY_MS, parseVendorTime, toIsoOrNull, utcDay } from '../lead/time';
import type { VendorClient } from '../transport/request';
import type { NormalizedLead } from '../lead/types';
import type { VendorConversation } from '../vendors/types';

/** A conversation may be stamped a little after the lead it led to (clocks, rounding). */
const AFTER_LEAD_MARGIN_MS = 5 * 60_000;
const USER_ROLES = new Set(['user', 'human', 'visitor', 'customer', 'contact']);

/** The rule `matchedBy` names when a conversation is found by the visitor's email. */
export const EMAIL_RULE = "customerEmail: the only conversation of the lead's chatbot with the lead's email, started in the 24 hours before the lead";

export interface LeadConversation extends IDataObject {
	id: string;
	startedAt: string | null;
	source: string | null;
	messages: Array<{ role: 'user' | 'assistant'; text: string; at: string | null }>;
	matchedBy: string;
}

function text(value: unknown): string {
	if (typeof value === 'string') return value;
	return value === undefined || value === null ? '' : JSON.stringify(value);
}

function normalize(raw: VendorConversation, matchedBy: string): LeadConversation {
	return {
		id: raw.id,
		startedAt: toIsoOrNull(parseVendorTime(raw.startedAt, 'UTC')),
		source: raw.source === undefined || raw.source === null ? null : String(raw.source),
		messages: raw.messages.map((message) => ({
			role: USER_ROLES.has(String(message.role).toLowerCase()) ? 'user' : 'assistant',
			text: text(message.text),
			at: toIsoOrNull(parseVendorTime(message.at, 'UTC')),
		})),
		matchedBy,
	};
}

type Found = { conversation: LeadConversation } | { reason: string };

/**
 * Include Conversation: finds the conversation behind each lead, fetching each chatbot's
 * conversations per day (or each named conversation) at most once per run. A conversation that
 * cannot be found or fetched gives `conversation: null` and `conversationError`; it never fails
 * the run nor holds the lead back.
 */
export class ConversationFinder {
	private readonly cache = new Map<string, Promise<VendorConversation[]>>();

	constructor(
		private readonly client: VendorClient,
		private readonly maxPages: number,
		private readonly pool?: TaskPool,
	) {}

	/** Requests this finder could send at most once each: one per chatbot and day (or conversation id). */
	async attach(leads: NormalizedLead[]): Promise<void> {
		await Promise.all(
			leads.map(async (lead) => {
				const found = await this.find(lead).catch((error: unknown): Found => ({ reason: `The conversation could not be fetched: ${error instanceof Error ? error.message : String(error)}` }));
				lead.conversation = 'conversation' in found ? found.conversation : null;
				if ('reason' in found) lead.conversationError = found.reason;
			}),
		);
	}

	private async find(lead: NormalizedLead): Promise<Found> {
		const source = this.client.provider.conversations;
		const name = this.client.provider.displayName;
		if (source.unavailable) return { reason: source.unavailable };
		const id = lead.conversationId;
		if (id && source.byId) return await this.findById(lead.chatbotId, id);
		if (!source.byDay) return { reason: `This ${name} lead names no conversation (session) to fetch.` };
		const leadMs = Date.parse(String(lead.createdAt));
		if (Number.isNaN(leadMs)) return { reason: 'The lead has no readable time, so the day of its conversation is unknown.' };
		const days = [utcDay(leadMs - DAY_MS), utcDay(leadMs)];
		const conversations = (await Promise.all(days.map(async (day) => await this.day(lead.chatbotId, day)))).flat();
		const where = `among the ${conversations.length} conversations of ${name} chatbot "${lead.chatbotId}" started on ${days.join(' or ')} (UTC)`;
		if (id) {
			const match = conversations.find((conversation) => conversation.id === id);
			return match ? { conversation: normalize(match, 'conversationId') } : { reason: `No conversation with id "${id}" ${where}.` };
		}
		return matchByEmail(lead, leadMs, conversations, where);
	}

	private async findById(chatbotId: string, id: string): Promise<Found> {
		const byId = this.client.provider.conversations.byId!;
		const [found] = await this.fetchOnce(`id:${chatbotId}:${id}`, async () => {
			const body = await this.client.get(byId.request(chatbotId, id), { chatbotId, params: {}, timeZone: 'UTC' });
			const conversation = byId.parse(body, id);
			return conversation ? [conversation] : [];
		});
		return found ? { conversation: normalize(found, 'conversationId') } : { reason: `${this.client.provider.displayName} has no conversation "${id}".` };
	}

	/** A chatbot's conversations started on one UTC day, every page, once per run. */
	private async day(chatbotId: string, day: string): Promise<VendorConversation[]> {
		const byDay = this.client.provider.conversations.byDay!;
		return await this.fetchOnce(`day:${chatbotId}:${day}`, async () => {
			const all: VendorConversation[] = [];
			for (let page = 1; page <= this.maxPages; page++) {
				const body = await this.client.get(byDay.request(chatbotId, day, page, byDay.pageSize), { chatbotId, params: {}, timeZone: 'UTC' });
				const conversations = byDay.parse(body);
				all.push(...conversations);
				if (conversations.length < byDay.pageSize) return all;
			}
			throw new Error(`more than ${this.maxPages} pages of conversations on ${day} (Max Pages)`);
		});
	}

	private async fetchOnce(key: string, fetch: () => Promise<VendorConversation[]>): Promise<VendorConversation[]> {
		let pending = this.cache.get(key);
		if (!pending) {
			pending = this.pool ? this.pool.run(fetch) : fetch();
			this.cache.set(key, pending);
		}
		return await pending;
	}
}

/** The one conversation with the lead's email, started in the day before the lead; none or several: no guess. */
function matchByEmail(lead: NormalizedLead, leadMs: number, conversations: VendorConversation[], where: string): Found {
	const email = lead.email?.trim().toLowerCase();
	if (!email) return { reason: 'The lead carries neither a conversation id nor an email to find its conversation by.' };
	const matches = conversations.filter((conversation) => {
		if (conversation.customerEmail?.trim().toLowerCase() !== email) return false;
		const startMs = parseVendorTime(conversation.startedAt, 'UTC');
		return Number.isNaN(startMs) || (startMs >= leadMs - DAY_MS && startMs <= leadMs + AFTER_LEAD_MARGIN_MS);
	});
	if (matches.length === 1) return { conversation: normalize(matches[0], EMAIL_RULE) };
	if (matches.length === 0) return { reason: `No conversation with customer email "${lead.email}" ${where}.` };
	return { reason: `${matches.length} conversations with customer email "${lead.email}" ${where}: not guessing which one led to this lead.` };
}
