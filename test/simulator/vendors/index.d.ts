/**
 * Types for the vendor plug-ins (vendors/index.js). A plug-in is one vendor's API as the
 * simulator serves it; the built-ins are chatbase.js, chatzuri.js, chatofAi.js and robofy.js,
 * and test/vendors/acme/simulator.js is a small complete one.
 */
import type { IncomingMessage, ServerResponse } from 'http';

import type { LeadSpec, RequestLogEntry, Simulator } from '../index';

/** What a route handler returns; `reply(status, body, headers)` in respond.js builds one. */
export interface VendorReply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/** What a route handler gets: the request, and the simulator's state through `sim`. */
export interface VendorContext {
	sim: Simulator;
	vendor: string;
	plugin: VendorPlugin;
	api: VendorPlugin['api'];
	req: IncomingMessage;
	res: ServerResponse;
	/** Path below the vendor's prefix. */
	path: string;
	query: Record<string, string>;
	/** The vendor's options as they are when the request is served. */
	options: Record<string, unknown>;
	entry: RequestLogEntry;
	/** The page the request asks for (fault `match.page`). */
	page: number | undefined;
}

export interface VendorRoute {
	pattern: RegExp;
	/** A lead-list route (behaviour faults apply here). */
	leads?: boolean;
	/** `groups`: the pattern's capture groups, URL-decoded. */
	handle(ctx: VendorContext, ...groups: string[]): VendorReply;
}

export interface VendorPlugin {
	/** The vendor key, which is also the product's provider name. */
	name: string;
	/** Where its API is mounted: `${sim.url}${prefix}` is the credential base URL. */
	prefix: string;
	/** Its options and their defaults; each key needs a check (options.js, or `optionChecks`). */
	defaults: Record<string, unknown>;
	/** One lead in the vendor's wire shape; `at` is the time as the vendor writes it. */
	makeRecord(spec: LeadSpec, at: Date, id: string | number, options: Record<string, unknown>): Record<string, unknown>;
	/** The n-th generated id. */
	newId(n: number): string | number;
	/** The record's identity field, and the field naming its chatbot (null: none). */
	idField: string;
	botField?: string | null;
	/** The chatbot a lead-list request asks for; undefined for other requests. */
	requestedChatbot(path: string, query: Record<string, string>): string | undefined;
	api: {
		/** An error body in the vendor's shape. */
		error(status: number, message: string, detail?: string): unknown;
		/** The message of a 401 (`hasKey`: a key was sent, but the wrong one). */
		unauthorized(hasKey: boolean): string;
		unauthorizedDetail?: string;
		/** A success body cut off mid-way, for the `malformed` and `truncated` faults. */
		malformed: string;
		routes: VendorRoute[];
	};
	/** The record's time field (default 'created_at'). */
	timeField?: string;
	/** How the vendor writes a time (for documentation and reuse in makeRecord). */
	formatTime?(date: Date, ...rest: unknown[]): string;
	/** The id a makeLead spec gives (default `spec.id`). */
	givenId?(spec: LeadSpec): string | number | undefined;
	/** Whether an addLeads item is a makeLead spec rather than a wire record (beyond the common spec-only keys). */
	looksLikeSpec?(item: Record<string, unknown>): boolean;
	/** Chatbots belong to numeric projects (Robofy). */
	projects?: boolean;
	/** Opaque-token paging: the `repeatToken` fault applies. */
	tokenPaging?: boolean;
	/** The page a request asks for (default: its `page` query value). */
	requestedPage?(query: Record<string, string>): number | undefined;
	/** Demo data for seed(): one chatbot with SEED.count leads. */
	seed?: { chatbotId: string; name: string; projectId?: number; projectName?: string; fields?: (index: number) => Record<string, string> };
	/** Generated conversation ids begin with this (default `conv_`; Robofy: a session id). */
	conversationIdPrefix?: string;
	/** Lead webhooks: the body shapes it sends, how to build one, and how it signs it (webhooks.js sends them). */
	webhook?: {
		secret: string;
		defaultShape: string;
		shapes?: string[];
		event?(
			shape: string,
			options: { chatbotId?: string; lead: Record<string, unknown>; eventType?: string; timestamp?: string; payload?: object },
			customerPayload: (lead: Record<string, unknown>) => Record<string, unknown>,
		): Record<string, unknown>;
		sign?(shape: string, raw: Buffer, key: string, signature: string, hmac: (algorithm: string, secret: string, raw: Buffer, encoding?: 'hex' | 'base64') => string): Record<string, string>;
	};
	/** Checks for options of its own: true, or what the value must be. */
	optionChecks?: Record<string, (value: unknown) => true | string>;
}

/** Adds a vendor plug-in for every simulator made from now on (the same plug-in again: no-op). Returns its name. */
export function registerVendor(plugin: VendorPlugin): string;
/** The built-in plug-ins. */
export const BUILT_IN: readonly VendorPlugin[];
