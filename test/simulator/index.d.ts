/**
 * Types for the vendor simulator (simulator.js). Import from `test/simulator` (this folder) or
 * from `test/simulator/simulator`; both resolve to the same module. The records, options,
 * webhooks and faults are in types/; the vendor plug-in interface in vendors/index.d.ts.
 */

/** The four vendors the simulator ships with. */
export type BuiltInVendor = 'chatbase' | 'chatzuri' | 'chatofAi' | 'robofy';
/** A built-in vendor, or one a test registered as a plug-in (see vendors/index.d.ts). */
export type Vendor = BuiltInVendor | (string & {});

export type { VendorPlugin, VendorRoute, VendorContext, VendorReply } from './vendors';
export { registerVendor } from './vendors';

export const VENDORS: readonly Vendor[];
export const PREFIXES: Readonly<Record<Vendor, string>>;

export * from './types/records';
export * from './types/options';
export * from './types/webhooks';

import type { ConversationRecord, ConversationSpec, LeadInput, LeadOf, LeadSpec } from './types/records';
import type { OptionsOf, RequestLogEntry, SimulatorOptions } from './types/options';
import type { Fault, WebhookLogEntry, WebhookSendOptions, WebhookVendor } from './types/webhooks';

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
