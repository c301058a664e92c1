/** The simulator's records in each vendor's wire shape, and what makes them (see ../index.d.ts). */
import type { BuiltInVendor, Vendor } from '../index';

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
