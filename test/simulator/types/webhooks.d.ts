/** The webhooks the simulator sends, and the faults it can inject (see ../index.d.ts). */
import type { AnyLead, LeadSpec } from '../index';

// ─── Webhooks (push) ───────────────────────────────────────────────────────────────────────

export type WebhookVendor = 'chatbase' | 'chatzuri';

/**
 * chatbase: 'api'. chatzuri: 'guide' (developer guide: event, timestamp, agent_id, data),
 * 'api' (API page: eventType, agentId, payload with customer…), 'apiLegacy' (older API page:
 * leads.submit, chatbotId, SHA-1 signature).
 */
export type WebhookShape = 'api' | 'guide' | 'apiLegacy';

/**
 * 'default' (the vendor's own form for the shape), 'hex' / 'base64' (Chatzuri sha256= in that
 * encoding), 'sha1' (older SHA-1 header), 'none' (no header), 'wrong' (another secret),
 * 'tampered' (a byte added to the body after signing).
 */
export type WebhookSignature = 'default' | 'hex' | 'base64' | 'sha1' | 'none' | 'wrong' | 'tampered';

export interface WebhookSendOptions {
	vendor: WebhookVendor;
	/** Where to POST; loopback hosts only. */
	url: string;
	/** Default: chatbase 'api', chatzuri 'guide'. */
	shape?: WebhookShape;
	chatbotId?: string;
	/** The lead a lead event carries (createdAt: when it was captured; default now). */
	lead?: LeadSpec & { conversationId?: string; channel?: string };
	/** Default: the shape's lead event (leads.submit / lead.submit). */
	eventType?: string;
	/** Chatzuri guide shape: the event's timestamp. Default: the lead's createdAt. */
	timestamp?: string;
	/** Replaces the lead in payload/data (for other event types). */
	payload?: object;
	/** Exact body text to send instead of an event (malformed JSON and the like). */
	body?: string;
	/** Pretty-print the JSON (2 spaces). */
	pretty?: boolean;
	/** Default: the simulator's webhook secret; null = unsigned (Chatzuri without a secret). */
	secret?: string | null;
	signature?: WebhookSignature;
	/** Default application/json. */
	contentType?: string;
	/** Also store the lead in the vendor's API (default true, lead events only). */
	store?: boolean;
	projectId?: number;
	/** Deliveries of the same bytes (default 1), one after another or all at once. */
	copies?: number;
	concurrent?: boolean;
}

export interface WebhookDelivery {
	/** 0 when there was no answer. */
	status: number;
	body: unknown;
	/** Epoch ms just before the request was sent. */
	sentAt: number;
	ms: number;
}

export interface WebhookLogEntry {
	id: string;
	vendor: WebhookVendor;
	shape: WebhookShape;
	url: string;
	/** The exact text sent. */
	body: string;
	headers: Record<string, string>;
	/** The event object (undefined when `body` was given). */
	event?: Record<string, unknown>;
	/** The lead stored in the vendor's API, if any. */
	stored?: AnyLead;
	deliveries: WebhookDelivery[];
}

// ─── Faults ────────────────────────────────────────────────────────────────────────────────

export interface FaultMatch {
	/** RegExp tested against, or substring of, the path below the base URL. */
	path?: RegExp | string;
	/** Admin API (JSON) form of a RegExp path. */
	pathRegex?: string;
	/** Requested page (page-based vendors: `page`; Robofy: the page the token decodes to, 1 without token). */
	page?: number;
	/** Only lead-list requests for this chatbot (Chatbase `chatbotId`, Chatzuri `agentId`, Chatof.ai and Robofy in the path). */
	chatbotId?: string;
}

interface FaultBase {
	/** How many matching requests it applies to. Default 1; Infinity = persistent. */
	times?: number;
	match?: FaultMatch;
}

export type Fault = FaultBase &
	(
		| { kind: 'status'; status: number; body?: string | object; headers?: Record<string, string> }
		| { kind: 'html'; status?: number }
		| { kind: 'malformed' }
		| { kind: 'truncated' }
		| { kind: 'empty' }
		| { kind: 'hang' }
		| { kind: 'reset' }
		| { kind: 'echoAuth'; status?: number }
		| { kind: 'repeatToken' }
		| { kind: 'repeatPage' }
		| { kind: 'shapeDrift' }
		| { kind: 'endless' }
	);

export type FaultKind = Fault['kind'];
