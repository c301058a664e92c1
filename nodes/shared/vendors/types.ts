import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ChatbotTarget, LeadQuery } from '../lead/types';

// What a vendor adapter declares (LeadProvider): every difference between vendors, behind one interface.

/** Reads one list (`VendorList`) with the given provider parameters. */
export type ListReader = (list: VendorList, params: IDataObject) => Promise<Array<{ id: string; name: string }>>;

/** Where a page starts: a page number, or the vendor's opaque token. */
export type PagePosition = { page: number } | { token: string };

export interface VendorRequest {
	path: string;
	qs: IDataObject;
}

/** A parsed response page. `next` is null on the last page, undefined when only an empty page can tell. */
export interface VendorPage {
	records: IDataObject[];
	next?: PagePosition | null;
	/** Total leads matching the query, where the vendor says (Chatof.ai). */
	total?: number;
}

/** The lead fields an adapter can read off one vendor record; shared code fills the rest. */
export interface MappedLead {
	id: string | null;
	name?: unknown;
	email?: unknown;
	phone?: unknown;
	createdAt?: unknown;
	conversationId?: unknown;
	fields?: IDataObject;
}

export type PagingStyle = 'page' | 'pageWithTotal' | 'token';

/**
 * Everything that differs between vendors. Shared code (transport, pagination, normalization,
 * the trigger's cursor) only ever talks to this.
 */
export interface LeadProvider {
	name: string;
	displayName: string;
	credentialType: string;
	/** The chatbot's name in the vendor's own words, for messages ("agent", "bot UID"). */
	chatbotLabel: string;
	paging: PagingStyle;
	/** The largest page we ask for; servers may still cap lower. Null: the vendor has no size parameter. */
	maxPageSize: number | null;
	/** Whether the vendor filters by date itself; if not, filtering happens locally. */
	dateFilter: boolean;
	/** Whether created_at strings carry no zone and need LeadQuery.timeZone. */
	zonelessTimestamps: boolean;
	/** Statuses that mean success (Chatzuri answers 202). */
	successStatuses: number[];
	/** Extra top-level node parameters, shown only for this provider (Robofy's project). */
	properties?: INodeProperties[];
	/** Extra entries of the Filters collection, shown only for this provider. */
	filterProperties?: INodeProperties[];
	buildRequest(query: LeadQuery, position: PagePosition, pageSize: number): VendorRequest;
	/** Reads one response body; throws VendorResponseError when the envelope says it failed. */
	parsePage(body: unknown): VendorPage;
	/** The vendor's own error text from an error body, if any. */
	errorText(body: unknown): string | undefined;
	mapLead(record: IDataObject): MappedLead;
	/** For the chatbot picker: the request listing chatbots, and how to read its answer. */
	chatbotList?: VendorList;
	/** For the project picker (Robofy). */
	projectList?: VendorList;
	/** Why there is no chatbot list, and where to find the ID instead. */
	noChatbotListHint?: string;
	/**
	 * Every chatbot of the account, for Chatbots: All, built from the adapter's own lists. Absent
	 * when the vendor cannot list its chatbots (then All is not offered).
	 */
	allChatbots?(read: ListReader): Promise<ChatbotTarget[]>;
	/** The vendor's "lead submitted" webhook, where it has one (Chatbase, Chatzuri). */
	webhook?: LeadWebhook;
	/** How to reach the conversation behind a lead (Include Conversation). */
	conversations: ConversationSource;
}

/** A conversation as the vendor gave it; shared code normalizes and matches it. */
export interface VendorConversation {
	id: string;
	startedAt: unknown;
	source: unknown;
	/** The visitor's email, where the vendor records one (Chatbase's `customer`). */
	customerEmail: string | null;
	messages: Array<{ role: unknown; text: unknown; at: unknown }>;
}

/**
 * Where a vendor keeps conversations: by day (a list per chatbot and day, matched by id or by the
 * visitor's email), by the id a lead names, or nowhere (`unavailable` says why).
 */
export interface ConversationSource {
	byDay?: {
		pageSize: number;
		request(chatbotId: string, day: string, page: number, pageSize: number): VendorRequest;
		parse(body: unknown): VendorConversation[];
	};
	byId?: {
		request(chatbotId: string, conversationId: string): VendorRequest;
		/** Undefined when the answer holds no such conversation. */
		parse(body: unknown, conversationId: string): VendorConversation | undefined;
	};
	unavailable?: string;
}

export type HmacAlgorithm = 'sha1' | 'sha256';

/**
 * How a vendor pushes leads: the signature it puts on a request and how its events read. Shared
 * code verifies, parses, filters, de-duplicates and normalizes; this only describes the vendor.
 */
export interface LeadWebhook {
	/** Where the vendor's dashboard takes the URL, for the node's notice. */
	setupHint: string;
	/** Header (lower case) with an HMAC of the raw body, when the user set a signing secret. */
	signatureHeader: string;
	/** Accepted HMAC algorithms; a header value may name one (`sha256=…`) or leave it to the digest length. */
	signatureAlgorithms: HmacAlgorithm[];
	/** Event types that carry a lead. */
	leadEvents: string[];
	/** Reads a parsed JSON body; undefined when it is not an event of this vendor (no event type). */
	readEvent(body: IDataObject): WebhookEvent | undefined;
	/** The lead fields of a lead event's payload; shared code derives the id and the time. */
	mapLead(payload: IDataObject): Omit<MappedLead, 'id' | 'createdAt'>;
}

/** One webhook event, as read from the body. */
export interface WebhookEvent {
	type: string;
	chatbotId?: string;
	/** The event's own time, when the body has one. */
	timestamp?: unknown;
	/** The event's data (`payload` or `data`); for lead events, the lead. */
	payload?: unknown;
}

/** A list endpoint for a picker. `params` are the provider's current parameter values. */
export interface VendorList {
	request(params: IDataObject): VendorRequest;
	/** Reads the answer as { id, name } pairs; throws VendorResponseError on an unreadable shape. */
	parse(body: unknown): Array<{ id: string; name: string }>;
}
