/**
 * Types for the vendor simulator (simulator.js). Import from `test/simulator` (this folder) or
 * from `test/simulator/simulator`; both resolve to the same module.
 */

/** The four vendors the simulator ships with. */
export type BuiltInVendor = 'chatbase' | 'chatzuri' | 'chatofAi' | 'robofy';
/** A built-in vendor, or one a test registered as a plug-in (see vendors/index.d.ts). */
export type Vendor = BuiltInVendor | (string & {});

import type { VendorPlugin } from './vendors';

export type { VendorPlugin, VendorRoute, VendorContext, VendorReply } from './vendors';
export { registerVendor } from './vendors';

export const VENDORS: readonly Vendor[];
export const PREFIXES: Readonly<Record<Vendor, string>>;

// ─── Records, in each vendor's wire shape ──────────────────────────────────────────────────

export interface ChatbaseLead {
	id: string;
	name: string | null;
	email: string | null;
	phone: string | null;
	/** '2026-10-01T12:00:00.000Z', or '2026-10-01T12:00:00.123456+00:00' with timestampStyle 'postgres'. */
	created_at: string;
	chatbot_id: string;
	account_id: string;
}

export interface ChatzuriLead {
	id: number;
	/** ISO with Z. */
	created_at: string;
	chatbot_owner_user_id: string;
	chatbot_id: string;
	phone: string | null;
	email: string | null;
	name: string | null;
}

/** Chatof.ai leads have no id field. */
export interface ChatofAiLead {
	bot_uid: string;
	conversation_uid: string;
	/** '2023-11-13T20:02:52+00:00' (seconds precision). */
	created_at: string;
	email: string | null;
	name: string | null;
	phone: string | null;
	remark: string | null;
}

export interface RobofyLeadField {
	field_name: string;
	field_type: string;
	field_value: string | null;
}

export interface RobofyLead {
	id: string;
	/** '2025-01-15 10:30:00': no zone, UTC wall time. */
	created_at: string;
	source: string;
	page_url: string;
	ip_address: string;
	/** Not a documented field; used for the sessionId filter. */
	session_id: string;
	lead_data: RobofyLeadField[];
}

export interface LeadByVendor {
	chatbase: ChatbaseLead;
	chatzuri: ChatzuriLead;
	chatofAi: ChatofAiLead;
	robofy: RobofyLead;
}

/** A lead of a registered plug-in vendor: its own wire shape. */
export type PluginLead = Record<string, unknown>;
/** A vendor's lead record: the built-ins' typed shapes, a plug-in's as a plain record. */
export type LeadOf<V extends Vendor> = V extends BuiltInVendor ? LeadByVendor[V] : PluginLead;
export type AnyLead = LeadByVendor[BuiltInVendor] | PluginLead;

/** Input to makeLead (and accepted by addLeads / POST /__admin/leads). Everything is optional. */
export interface LeadSpec {
	/** Chatbase/Robofy: string id; Chatzuri: number; Chatof.ai: used as conversation_uid. Default: generated, unique per vendor. */
	id?: string | number;
	/** Default: now. */
	createdAt?: Date | string;
	/**
	 * What the wire's `created_at` says instead of the time (e.g. 'not a date', or null for none): a
	 * lead whose time a client cannot read. The server still orders and date-filters it by `createdAt`.
	 */
	createdAtText?: string | null;
	name?: string | null;
	email?: string | null;
	phone?: string | null;
	/** Chatof.ai conversation_uid; Chatbase conversation_id (absent unless given). */
	conversationId?: string;
	/** Robofy session_id. */
	sessionId?: string;
	/** Chatof.ai remark. */
	remark?: string | null;
	/** Robofy extra lead_data entries ({ company: 'Acme' } -> field_type 'text'). Ignored by other vendors. */
	fields?: Record<string, string | null> | RobofyLeadField[];
	/** Robofy page_url / ip_address / source. */
	pageUrl?: string;
	ipAddress?: string;
	source?: string;
	/** Chatbase account_id. */
	accountId?: string;
	/** Chatzuri chatbot_owner_user_id. */
	ownerUserId?: string;
	/** Fills chatbot_id / bot_uid when used with makeLead alone (addLeads sets it anyway). */
	chatbotId?: string;
}

/** Input to addConversation. Everything is optional. */
export interface ConversationSpec {
	/** Default: generated (Robofy: the session id). */
	id?: string;
	/** When it started; default now. Each message is a second later than the one before. */
	createdAt?: Date | string;
	/** Chatbase's undocumented `customer`: here the visitor's email (or null). */
	customer?: string | null;
	source?: string;
	messages?: Array<{ role: string; content: string }>;
}

/** A conversation in the Chatbase v1 `get-conversations` shape. */
export interface ConversationRecord {
	id: string;
	created_at: string;
	messages: Array<{ role: string; content: string; created_at: string }>;
	chatbot_id: string;
	customer: string | null;
	source: string;
}

/** What addLeads accepts: a partial wire record, or a LeadSpec. */
export type LeadInput<V extends Vendor> = Partial<LeadOf<V>> | LeadSpec;

// ─── Options ───────────────────────────────────────────────────────────────────────────────

export type Order = 'desc' | 'asc' | 'random';

interface CommonOptions {
	/** 'desc' newest first (default), 'asc', or 'random' (seeded by chatbot id: stable while data is unchanged). */
	order?: Order;
	/** Delay before every response, ms. Default 0. */
	latencyMs?: number;
	/** The vendor's clock, minutes ahead (+) or behind (-) true time, for leads made from now on. Default 0. */
	clockOffsetMinutes?: number;
	/** Requests over this many in flight at once (for this vendor) get an immediate 429. Default 0: no limit. */
	maxConcurrentRequests?: number;
	/** The Retry-After (seconds, may be fractional) of those 429s. Default 1. */
	retryAfterSeconds?: number;
}

interface PagedOptions extends CommonOptions {
	/** Server-side cap on the page size. Default 100. */
	maxPageSize?: number;
	/** Page size when the request gives none. Default 10. */
	defaultPageSize?: number;
}

export interface ChatbaseOptions extends PagedOptions {
	/** 'array' (default): { collectedCustomers: [...] }; 'data': { collectedCustomers: { data: [...] } }. */
	envelope?: 'array' | 'data';
	/** created_at style of leads made from now on. Default 'iso'. */
	timestampStyle?: 'iso' | 'postgres';
}

export type ChatzuriOptions = PagedOptions;

export interface ChatofAiOptions extends PagedOptions {
	/** data.total: 'all' (default, as documented: all leads of the bot) or 'filtered' (date-filtered count). */
	total?: 'all' | 'filtered';
	/** A wrong key answered HTTP 200 with this non-zero `code` (and `msg`), as Chatof.ai reports failures. Default 0: HTTP 401. */
	authErrorCode?: number;
}

export interface RobofyOptions extends CommonOptions {
	/** Fixed page size. Default 20. */
	pageSize?: number;
	/** Last page's next_page_token: null (default), "" or key absent. */
	emptyTokenStyle?: 'null' | 'empty' | 'absent';
	/** 'report' (default): data.report.next_page_token; 'data': data.next_page_token. */
	tokenPlacement?: 'report' | 'data';
	/** Seconds a next_page_token stays valid; an older one gets 400 "nextPageToken has expired". Default 0: forever. */
	tokenTtlSeconds?: number;
}

export interface OptionsByVendor {
	chatbase: ChatbaseOptions;
	chatzuri: ChatzuriOptions;
	chatofAi: ChatofAiOptions;
	robofy: RobofyOptions;
}

/** A vendor's options: the built-ins' typed ones, a plug-in's as a plain record. */
export type OptionsOf<V extends Vendor> = V extends BuiltInVendor ? OptionsByVendor[V] : Record<string, unknown>;

export const DEFAULT_OPTIONS: { readonly [V in BuiltInVendor]: Required<OptionsByVendor[V]> } & { readonly [vendor: string]: Record<string, unknown> };

export interface RequestLogEntry {
	vendor: Vendor;
	method: string;
	/** Path below the vendor's base URL, e.g. '/get-leads' or '/ai-agent/leads/101/bot'. */
	path: string;
	query: Record<string, string>;
	/** HTTP status sent; null while pending or when no response was sent (hang, reset). */
	status: number | null;
	/** Kind of the fault applied to this request, if any ('concurrencyLimit': the maxConcurrentRequests option's 429). */
	fault?: FaultKind | 'concurrencyLimit';
	/** ISO time the request arrived. */
	at: string;
}

export interface SimulatorOptions {
	/** Override the accepted key per vendor (default `sim-<vendor>-key`). */
	keys?: Partial<Record<Vendor, string>>;
	/** Initial per-vendor options; reset() returns to these. */
	vendors?: { [V in BuiltInVendor]?: OptionsByVendor[V] } & { [vendor: string]: Record<string, unknown> | undefined };
	/** Vendor plug-ins to register (for every simulator from then on) before this one is made. */
	plugins?: VendorPlugin[];
	/** Shortcut for vendors.chatbase.timestampStyle. */
	chatbaseTimestampStyle?: 'iso' | 'postgres';
	/** Add the demo data on creation. */
	seed?: boolean;
	/** Called once per vendor request when it is answered (or hung/reset). */
	onRequest?: (entry: RequestLogEntry) => void;
	/** The webhook signing secret per vendor (default `sim-<vendor>-webhook-secret`). */
	webhookSecrets?: Partial<Record<WebhookVendor, string>>;
}

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

// ─── The simulator ─────────────────────────────────────────────────────────────────────────

export interface BaseUrls {
	/** Plug-in vendors too. */
	[vendor: string]: string;
	chatbase: string;
	chatzuri: string;
	chatofAi: string;
	robofy: string;
}

export interface ChatbotInfo {
	id: string;
	name: string;
	projectId?: number;
}

export interface SeedInfo {
	/** Plug-in vendors with a `seed`. */
	[vendor: string]: { projectId?: number; chatbotId: string };
	chatbase: { chatbotId: string };
	chatzuri: { chatbotId: string };
	chatofAi: { chatbotId: string };
	robofy: { projectId: number; chatbotId: string };
}

export interface GenerateOptions {
	/** created_at of the first lead. Default: count * stepMs before now. */
	start?: Date | string;
	/** Default 60000. */
	stepMs?: number;
	/** Robofy only. */
	projectId?: number;
	/** Robofy extra lead_data, fixed or per index. */
	fields?: Record<string, string> | ((index: number) => Record<string, string>);
}

export declare class Simulator {
	constructor(options?: SimulatorOptions);

	/** Accepted key per vendor. */
	readonly keys: Readonly<Record<Vendor, string>>;
	/** The most vendor requests open at the same time since start or reset(). */
	maxInFlight: number;
	/** Vendor requests open right now. */
	readonly inFlight: number;
	/** Every vendor request (admin requests excluded). Never contains headers. */
	readonly requests: RequestLogEntry[];
	/** e.g. 'http://127.0.0.1:5680'. Throws when not started. */
	readonly url: string;
	readonly port: number;
	/** Credential base URL per vendor. Throws when not started. */
	readonly baseUrls: BaseUrls;
	/** Webhook signing secret per vendor. */
	readonly webhookSecrets: Readonly<Record<WebhookVendor, string>>;
	/** Webhooks sent since start or reset(). */
	readonly webhooks: WebhookLogEntry[];

	/** Listens on a loopback host (others are refused). Resolves with the url. */
	start(port?: number, host?: string): Promise<string>;
	/** Closes the server and destroys open sockets (hung requests too). */
	stop(): Promise<void>;

	/** Clears data, faults, the request log; options go back to creation-time values. */
	reset(): void;
	addChatbot(vendor: Vendor, chatbotId: string, opts?: { name?: string; projectId?: number }): ChatbotInfo;
	/** Deletes a chatbot and its leads; it leaves the chatbot lists. Returns whether it existed. */
	removeChatbot(vendor: Vendor, chatbotId: string): boolean;
	/** Leaves a chatbot out of the chatbot lists (or puts it back) while its leads stay served. Returns whether it exists. */
	setChatbotListed(vendor: Vendor, chatbotId: string, listed: boolean): boolean;
	/** Robofy projects (also created implicitly). */
	addProject(projectId: number, name?: string): { id: number; name: string };
	makeLead<V extends Vendor>(vendor: V, spec?: LeadSpec): LeadOf<V>;
	addLeads<V extends Vendor>(
		vendor: V,
		chatbotId: string,
		leads: Array<LeadInput<V>>,
		opts?: { projectId?: number },
	): Array<LeadOf<V>>;
	/** Stores a conversation of a chatbot (Chatbase, Chatzuri; Robofy: a session, id = the leads' sessionId). */
	addConversation(vendor: Vendor, chatbotId: string, spec?: ConversationSpec, opts?: { projectId?: number }): ConversationRecord;
	/** Stores records exactly as given (no defaults, no validation): for hostile-data tests. */
	addRawLeads(vendor: Vendor, chatbotId: string, records: object[], opts?: { projectId?: number }): void;
	generateLeads<V extends Vendor>(vendor: V, chatbotId: string, count: number, opts?: GenerateOptions): Array<LeadOf<V>>;
	/** Stored records (copies). */
	leads<V extends Vendor>(vendor: V, chatbotId: string): Array<LeadOf<V>>;
	/** Adds the demo data (25 leads per vendor). */
	seed(): SeedInfo;

	setOptions<V extends Vendor>(vendor: V, options: OptionsOf<V>): Required<OptionsOf<V>>;
	getOptions<V extends Vendor>(vendor: V): Required<OptionsOf<V>>;
	injectFault(vendor: Vendor, fault: Fault): void;
	clearFaults(): void;
	requestCount(vendor?: Vendor): number;
	clearRequests(): void;

	/** POSTs a vendor webhook (signed as the vendor signs); resolves the log entry with its deliveries. */
	sendWebhook(options: WebhookSendOptions): Promise<WebhookLogEntry>;
	/** Sends a logged webhook again, byte for byte (a vendor's retry); `deliveries` are only the new ones. */
	redeliverWebhook(id: string, options?: { copies?: number; concurrent?: boolean }): Promise<WebhookLogEntry>;
}

export function createSimulator(options?: SimulatorOptions): Simulator;
export function startSimulator(options?: SimulatorOptions & { port?: number; host?: string }): Promise<Simulator>;

/** The chatbot a lead-list request (path below the base URL, query) asks for; undefined for other requests. */
export function requestedChatbot(vendor: Vendor, path: string, query: Record<string, string>): string | undefined;

/** Whether a request (path below the vendor's base URL) is for a lead list (a plug-in route marked `leads`). */
export function isLeadRequest(vendor: Vendor, path: string): boolean;

/** Robofy page token helpers: base64 of {"page":N} (with `at`, the issue time, when tokens expire). */
export function encodeToken(page: number, issuedAt?: number): string;
export function decodeToken(token: string): number | undefined;

export const SEED: {
	/** Plug-in vendors with a `seed`: their chatbot id (and `<vendor>ProjectId`). */
	readonly [key: string]: string | number;
	readonly start: string;
	readonly stepMs: number;
	readonly count: number;
	readonly chatbase: string;
	readonly chatzuri: string;
	readonly chatofAi: string;
	readonly robofy: string;
	readonly robofyProjectId: number;
};
