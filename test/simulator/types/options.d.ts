/** Vendor options, the request log, and what a simulator is created with (see ../index.d.ts). */
import type { BuiltInVendor, FaultKind, Vendor, VendorPlugin, WebhookVendor } from '../index';

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
