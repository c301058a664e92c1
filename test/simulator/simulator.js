'use strict';

/**
 * Local simulator of the four vendors' lead APIs (Chatbase, Chatzuri, Chatof.ai, Robofy).
 *
 * One HTTP server, one port, each vendor mounted under its own prefix. It follows the vendors'
 * published pages plus the quirks in ../shared/vendor-apis/VENDOR-NOTES.md, and adds fault
 * injection and an admin API (under /__admin/) so tests in another process can drive it.
 *
 * Plain Node.js, no dependencies. See README.md beside this file for the API.
 */

const http = require('http');
const crypto = require('crypto');

const { SHAPES: WEBHOOK_SHAPES, webhookEvent, signatureHeaders, assertLoopbackUrl, deliverCopies } = require('./webhooks');
const { makeConversation, dayPagedConversations, robofySessionChats } = require('./conversations');

// ─── Constants ─────────────────────────────────────────────────────────────────────────────

const VENDORS = Object.freeze(['chatbase', 'chatzuri', 'chatofAi', 'robofy']);

/** Where each vendor is mounted; `${url}${PREFIXES[v]}` is the credential base URL. */
const PREFIXES = Object.freeze({
	chatbase: '/chatbase/api/v1',
	chatzuri: '/chatzuri/api/v1',
	chatofAi: '/chatof/api/v1/backend',
	robofy: '/robofy/v1',
});

const DEFAULT_OPTIONS = Object.freeze({
	chatbase: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, envelope: 'array', timestampStyle: 'iso', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	chatzuri: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	// `total: 'all'` follows the docs literally ("total number of leads for this chatbot"),
	// i.e. it ignores the date filter; 'filtered' counts only the matching leads.
	chatofAi: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, total: 'all', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1, authErrorCode: 0 },
	robofy: { order: 'desc', latencyMs: 0, pageSize: 20, emptyTokenStyle: 'null', tokenPlacement: 'report', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1, tokenTtlSeconds: 0 },
});

const oneOf = (...values) => (v) => values.includes(v) || `must be one of ${values.join(', ')}`;
const positiveInt = (v) => (Number.isInteger(v) && v > 0) || v === Infinity || 'must be a positive integer';
const nonNegative = (v) => (typeof v === 'number' && v >= 0 && Number.isFinite(v)) || 'must be a number >= 0';

const OPTION_CHECKS = {
	order: oneOf('desc', 'asc', 'random'),
	maxPageSize: positiveInt,
	latencyMs: nonNegative,
	defaultPageSize: positiveInt,
	envelope: oneOf('array', 'data'),
	timestampStyle: oneOf('iso', 'postgres'),
	total: oneOf('all', 'filtered'),
	pageSize: positiveInt,
	emptyTokenStyle: oneOf('null', 'empty', 'absent'),
	tokenPlacement: oneOf('report', 'data'),
	clockOffsetMinutes: (v) => (Number.isFinite(v) && Math.abs(v) <= 48 * 60) || 'must be a number of minutes within +-2880',
	maxConcurrentRequests: (v) => (Number.isInteger(v) && v >= 0) || 'must be an integer >= 0 (0: no limit)',
	retryAfterSeconds: nonNegative,
	tokenTtlSeconds: nonNegative,
	authErrorCode: (v) => (Number.isInteger(v) && v >= 0) || 'must be an integer >= 0 (0: HTTP 401)',
};

/** Faults that act like infrastructure in front of the API: applied before auth and routing. */
const TRANSPORT_FAULTS = ['status', 'html', 'malformed', 'truncated', 'empty', 'hang', 'reset', 'echoAuth'];
/** Faults that change what the API itself answers: applied to lead-list requests only, after auth. */
const BEHAVIOUR_FAULTS = ['repeatToken', 'repeatPage', 'shapeDrift', 'endless'];

const ROBOFY_COLUMNS = Object.freeze(['id', 'created_at', 'source', 'page_url', 'ip_address', 'lead_data']);

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises'];

const SEED = Object.freeze({
	start: '2026-10-01T08:00:00.000Z',
	stepMs: 37 * 60 * 1000,
	count: 25,
	chatbase: 'demo-chatbase-bot',
	chatzuri: 'demo-chatzuri-agent',
	chatofAi: 'demo-chatof-bot',
	robofy: 'demo-robofy-agent',
	robofyProjectId: 101,
});

// ─── Small helpers ─────────────────────────────────────────────────────────────────────────

function perVendor(make) {
	return Object.fromEntries(VENDORS.map((v) => [v, make(v)]));
}

function assertVendor(vendor) {
	if (!VENDORS.includes(vendor)) {
		throw new Error(`Unknown vendor "${vendor}" (expected one of ${VENDORS.join(', ')})`);
	}
}

function clone(value) {
	return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** 32-bit FNV-1a: a cheap, stable hash for seeding the shuffle and picking fake values. */
function hash32(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

/** mulberry32 PRNG: the same seed gives the same sequence, so "random" order is repeatable. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A UUID-shaped string derived from `seed`, so generated data is the same on every run. */
function deterministicUuid(seed) {
	const h = crypto.createHash('sha1').update(seed).digest('hex');
	const variant = '89ab'[parseInt(h[16], 16) % 4];
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function person(n) {
	const first = FIRST_NAMES[n % FIRST_NAMES.length];
	const last = LAST_NAMES[(n * 7) % LAST_NAMES.length];
	return {
		name: `${first} ${last}`,
		email: `${first}.${last}.${n}@example.com`.toLowerCase(),
		phone: `+1555${String(1000000 + n).slice(-7)}`,
		company: COMPANIES[n % COMPANIES.length],
	};
}

// ─── Time formats ──────────────────────────────────────────────────────────────────────────

function toDate(value, what = 'createdAt') {
	const date = value instanceof Date ? new Date(value.getTime()) : new Date(parseTimestamp(value));
	if (Number.isNaN(date.getTime())) throw new Error(`Invalid ${what}: ${String(value)}`);
	return date;
}

/**
 * Parses every vendor's created_at: ISO with Z, "+00:00" with microseconds, and Robofy's
 * zone-less "YYYY-MM-DD HH:MM:SS" (UTC wall time). NaN when unparseable.
 */
function parseTimestamp(value) {
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'number') return value;
	let text = String(value).trim().replace(' ', 'T');
	text = text.replace(/(\.\d{3})\d+/, '$1');
	if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
	return Date.parse(text);
}

const isoSeconds = (date) => date.toISOString().slice(0, 19);

const TIME_FORMATS = {
	/** ISO with Z, or Postgres-style "+00:00" with microseconds (both occur in the wild). */
	chatbase: (date, style, id) => {
		if (style !== 'postgres') return date.toISOString();
		const micros = String(hash32(String(id)) % 1000).padStart(3, '0');
		return `${date.toISOString().slice(0, 23)}${micros}+00:00`;
	},
	chatzuri: (date) => date.toISOString(),
	/** Seconds precision with an explicit offset, as in the docs' example. */
	chatofAi: (date) => `${isoSeconds(date)}+00:00`,
	/** No zone at all: the client has to know it is UTC. */
	robofy: (date) => isoSeconds(date).replace('T', ' '),
};

/** Parses a YYYY-MM-DD day; undefined when absent, NaN when invalid, else UTC midnight in ms. */
function parseDay(value) {
	if (value === undefined || value === '') return undefined;
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
	if (!m) return NaN;
	const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	return new Date(ms).toISOString().slice(0, 10) === value ? ms : NaN;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Both bounds inclusive whole UTC days. Returns { startMs, endMs } or { error: paramName | 'order' }. */
function parseDayRange(start, end, names) {
	const startMs = parseDay(start);
	const endMs = parseDay(end);
	if (Number.isNaN(startMs)) return { error: `Invalid ${names[0]}` };
	if (Number.isNaN(endMs)) return { error: `Invalid ${names[1]}` };
	if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
		return { error: `${names[0]} must not be after ${names[1]}` };
	}
	return { startMs, endMs: endMs === undefined ? undefined : endMs + DAY_MS };
}

/** A positive integer query value; `fallback` when absent, NaN when invalid. */
function parsePositiveInt(value, fallback) {
	if (value === undefined || value === '') return fallback;
	if (!/^\d+$/.test(String(value))) return NaN;
	const n = Number(value);
	return n >= 1 ? n : NaN;
}

// ─── Robofy page tokens ────────────────────────────────────────────────────────────────────

/**
 * Tokens are base64 of {"page":N}, as the docs' example token eyJwYWdlIjoyfQ== shows; with a
 * token lifetime set they also carry when they were issued.
 */
function encodeToken(page, issuedAt) {
	return Buffer.from(JSON.stringify(issuedAt === undefined ? { page } : { page, at: issuedAt })).toString('base64');
}

/** Whether a token issued with a time is older than `ttlSeconds` (0: tokens never expire). */
function tokenExpired(token, ttlSeconds) {
	if (!ttlSeconds) return false;
	try {
		const { at } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
		return !Number.isFinite(at) || Date.now() - at > ttlSeconds * 1000;
	} catch {
		return true;
	}
}

/** The page a token points to, or undefined when the token is not one of ours. */
function decodeToken(token) {
	if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) return undefined;
	try {
		const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
		return Number.isInteger(parsed && parsed.page) && parsed.page >= 1 ? parsed.page : undefined;
	} catch {
		return undefined;
	}
}

// ─── Lead records in each vendor's wire shape ──────────────────────────────────────────────

/** Robofy keeps form answers as a list; name/email/phone come first, then custom fields. */
function robofyLeadData(spec) {
	const data = [];
	if (spec.name != null) data.push({ field_name: 'name', field_type: 'text', field_value: spec.name });
	if (spec.email != null) data.push({ field_name: 'email', field_type: 'email', field_value: spec.email });
	if (spec.phone != null) data.push({ field_name: 'phone', field_type: 'phone', field_value: spec.phone });
	const fields = spec.fields || {};
	if (Array.isArray(fields)) {
		data.push(...fields.map((f) => ({ field_type: 'text', ...f })));
	} else {
		for (const [name, value] of Object.entries(fields)) {
			data.push({ field_name: name, field_type: 'text', field_value: value == null ? value : String(value) });
		}
	}
	return data;
}

const LEAD_FACTORIES = {
	chatbase: (spec, at, id, opts) => ({
		id: String(id),
		name: spec.name ?? null,
		email: spec.email ?? null,
		phone: spec.phone ?? null,
		created_at: TIME_FORMATS.chatbase(at, opts.timestampStyle, id),
		chatbot_id: spec.chatbotId ?? '',
		account_id: spec.accountId ?? 'acc_sim_0001',
		// Not documented on the lead list; one public script reads it: present only when given.
		...(spec.conversationId === undefined ? {} : { conversation_id: spec.conversationId }),
	}),
	chatzuri: (spec, at, id) => ({
		id,
		created_at: TIME_FORMATS.chatzuri(at),
		chatbot_owner_user_id: spec.ownerUserId ?? deterministicUuid('chatzuri-owner'),
		chatbot_id: spec.chatbotId ?? '',
		phone: spec.phone ?? null,
		email: spec.email ?? null,
		name: spec.name ?? null,
	}),
	// No id field at all: a client has to derive identity (e.g. conversation_uid + created_at).
	chatofAi: (spec, at, id) => ({
		bot_uid: spec.chatbotId ?? '',
		conversation_uid: id,
		created_at: TIME_FORMATS.chatofAi(at),
		email: spec.email ?? null,
		name: spec.name ?? null,
		phone: spec.phone ?? null,
		remark: spec.remark ?? null,
	}),
	robofy: (spec, at, id) => ({
		id: String(id),
		created_at: TIME_FORMATS.robofy(at),
		source: spec.source ?? 'chatbot',
		page_url: spec.pageUrl ?? 'https://example.com/contact',
		ip_address: spec.ipAddress ?? `203.0.113.${(hash32(String(id)) % 254) + 1}`,
		session_id: spec.sessionId ?? `sess_${id}`,
		lead_data: robofyLeadData(spec),
	}),
};

/** Ids the simulator hands out: numbers for Chatzuri, a conversation uuid for Chatof.ai. */
const ID_FORMATS = {
	chatbase: (n) => `lead_${n}`,
	chatzuri: (n) => n,
	chatofAi: (n) => deterministicUuid(`chatofAi-conversation-${n}`),
	robofy: (n) => `lead_${n}`,
};

/** Field holding a record's identity (for "is this id taken"), and its chatbot reference. */
const ID_FIELD = { chatbase: 'id', chatzuri: 'id', chatofAi: 'conversation_uid', robofy: 'id' };
const BOT_FIELD = { chatbase: 'chatbot_id', chatzuri: 'chatbot_id', chatofAi: 'bot_uid', robofy: null };

const SPEC_ONLY_KEYS = ['createdAt', 'createdAtText', 'conversationId', 'sessionId', 'fields', 'pageUrl', 'ipAddress', 'ownerUserId', 'accountId'];

/** addLeads takes wire records or makeLead specs; this tells which one it was given. */
function looksLikeSpec(vendor, item) {
	if (SPEC_ONLY_KEYS.some((k) => k in item)) return true;
	return vendor === 'robofy' && !('lead_data' in item) && ['name', 'email', 'phone'].some((k) => k in item);
}

// ─── Ordering, filtering, paging ───────────────────────────────────────────────────────────

/**
 * The time the vendor's database holds for a stored record, where its wire `created_at` does not
 * say it (a lead made with `createdAtText`: an unreadable or missing time on the wire). The
 * server still orders and filters such a lead by its real time, as a real database would.
 */
const STORED_TIMES = new WeakMap();

/** A stored record's time for ordering and date filters (NaN when neither says one). */
function recordTime(record) {
	const stored = STORED_TIMES.get(record);
	return stored === undefined ? parseTimestamp(record.created_at) : stored;
}

/**
 * A chatbot's records oldest first (ties keep insertion order), each with its time; cached until
 * the chatbot's leads change (`bot.version`), so big chatbots do not re-sort on every request.
 */
function sortedLeads(bot) {
	const version = bot.version || 0;
	if (bot.sorted && bot.sorted.version === version && bot.sorted.length === bot.leads.length) return bot.sorted.entries;
	const entries = bot.leads
		.map((record, index) => ({ record, index, time: recordTime(record) }))
		.sort((a, b) => (a.time || 0) - (b.time || 0) || a.index - b.index);
	bot.sorted = { version, length: bot.leads.length, entries };
	return entries;
}

/**
 * Applies the vendor's `order` option to entries already oldest first. 'random' shuffles with a
 * PRNG seeded by the chatbot id, so while the data does not change, page N is the same on every
 * request.
 */
function orderRecords(ascending, order, seedKey) {
	const sorted = ascending.map((entry) => entry.record);
	if (order === 'asc') return sorted;
	if (order === 'desc') return sorted.reverse();
	const random = prng(hash32(seedKey));
	for (let i = sorted.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[sorted[i], sorted[j]] = [sorted[j], sorted[i]];
	}
	return sorted;
}

function inDayRange(time, { startMs, endMs }) {
	return (startMs === undefined || time >= startMs) && (endMs === undefined || time < endMs);
}

function slicePage(records, page, size) {
	return records.slice((page - 1) * size, page * size);
}

// ─── Responses ─────────────────────────────────────────────────────────────────────────────

/** Writes a response and records its status in the request log. */
function send(ctx, status, body, headers = {}) {
	const isText = typeof body === 'string';
	const payload = body === undefined ? '' : isText ? body : JSON.stringify(body);
	const contentType = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
	if (ctx.entry) ctx.entry.status = status;
	ctx.res.writeHead(status, {
		'content-type': contentType,
		...lowerCaseKeys(headers),
		'content-length': Buffer.byteLength(payload),
	});
	ctx.res.end(payload);
	ctx.sim._notify(ctx.entry);
}

function lowerCaseKeys(headers) {
	return Object.fromEntries(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A reply object returned by vendor route handlers. */
const reply = (status, body, headers) => ({ status, body, headers });
/** An error answer in the vendor's own error shape. */
const vendorError = (ctx) => (status, message) => reply(status, VENDOR_API[ctx.vendor].error(status, message));

// ─── Vendor: Chatbase ──────────────────────────────────────────────────────────────────────
// GET /get-leads?chatbotId=&startDate=&endDate=&page=&size=  ->  200 { collectedCustomers: [...] }
// GET /get-chatbots                                          ->  200 { chatbots: [{ id, name }] }
// Errors: { message } with 400 / 401 / 404 / 500.

const chatbase = {
	error: (status, message) => ({ message }),
	unauthorized: (hasKey) => (hasKey ? 'Invalid API key.' : 'No API key provided.'),
	malformed: '{"collectedCustomers": [',
	routes: [
		{ pattern: /^\/get-leads$/, leads: true, handle: (ctx) => dayPagedLeads(ctx, chatbaseStyle) },
		{ pattern: /^\/get-conversations$/, handle: (ctx) => dayPagedConversations(ctx, 'chatbotId', reply, vendorError(ctx)) },
		{
			pattern: /^\/get-chatbots$/,
			handle: (ctx) => reply(200, { chatbots: ctx.sim._botList('chatbase').map((b) => ({ id: b.id, name: b.name })) }),
		},
	],
};

const chatbaseStyle = {
	idParam: 'chatbotId',
	notFound: 'Chatbot not found',
	status: 200,
	// Both shapes occur: the docs' bare array, and the array under `.data` seen by integrators.
	body: (rows, ctx, drift) => {
		if (drift) return { results: rows };
		return { collectedCustomers: ctx.options.envelope === 'data' ? { data: rows } : rows };
	},
};

// ─── Vendor: Chatzuri ──────────────────────────────────────────────────────────────────────
// Same as Chatbase but `agentId`, and the documented success status is 202 with { data: [...] }.

const chatzuri = {
	error: (status, message) => ({ message }),
	unauthorized: () => 'Unauthorized',
	malformed: '{"data": [',
	routes: [
		{ pattern: /^\/get-leads$/, leads: true, handle: (ctx) => dayPagedLeads(ctx, chatzuriStyle) },
		{ pattern: /^\/get-conversations$/, handle: (ctx) => dayPagedConversations(ctx, 'agentId', reply, vendorError(ctx)) },
		{
			pattern: /^\/get-chatbots$/,
			handle: (ctx) =>
				reply(200, {
					chatbots: ctx.sim._botList('chatzuri').map((b) => ({ chatbot_id: b.id, chatbot_name: b.name })),
				}),
		},
	],
};

const chatzuriStyle = {
	idParam: 'agentId',
	notFound: 'Agent not found',
	status: 202,
	body: (rows, ctx, drift) => (drift ? { results: rows } : { data: rows }),
};

/** Shared by Chatbase and Chatzuri: page/size paging and startDate/endDate whole-day filters. */
function dayPagedLeads(ctx, style) {
	const { query, options, vendor } = ctx;
	const error = (status, message) => reply(status, VENDOR_API[vendor].error(status, message));
	const botId = query[style.idParam];
	if (!botId) return error(400, `${style.idParam} is required`);
	const range = parseDayRange(query.startDate, query.endDate, ['startDate', 'endDate']);
	if (range.error) return error(400, range.error);
	const page = parsePositiveInt(query.page, 1);
	if (Number.isNaN(page)) return error(400, 'Invalid page');
	const size = parsePositiveInt(query.size, options.defaultPageSize);
	if (Number.isNaN(size)) return error(400, 'Invalid size');
	const bot = ctx.sim._bot(vendor, botId);
	if (!bot) return error(404, style.notFound);

	const result = listPage(ctx, bot, { range, page, size: Math.min(size, options.maxPageSize) });
	return reply(style.status, style.body(result.rows, ctx, result.fault === 'shapeDrift'));
}

/**
 * Page-number paging shared by the page-based vendors. Applies a behaviour fault if one is
 * queued. Pages are cut from the data as it is now, so leads added meanwhile shift pages.
 */
function listPage(ctx, bot, { range, page, size }) {
	const fault = ctx.sim._takeFault(ctx, BEHAVIOUR_FAULTS);
	const kind = fault && fault.kind;
	const all = bot.leads;
	const matching = sortedLeads(bot).filter((entry) => inDayRange(entry.time, range));
	if (kind === 'endless') {
		return { rows: ctx.sim._endlessRows(ctx.vendor, bot, size), total: (page + 1) * size, totalAll: (page + 1) * size, fault: kind };
	}
	const ordered = orderRecords(matching, ctx.options.order, `${ctx.vendor}:${bot.id}`);
	const rows = slicePage(ordered, kind === 'repeatPage' ? 1 : page, size);
	return { rows: clone(rows), total: matching.length, totalAll: all.length, fault: kind };
}

// ─── Vendor: Chatof.ai ─────────────────────────────────────────────────────────────────────
// GET /chatbot/{bot_uid}/leads?start_date=&end_date=&page=&page_size=
//   -> 200 { code: 0, data: { leads, page, page_size, total }, msg: "Success.", request_id }
// Application errors come back as HTTP 200 with code != 0 (10001 bad parameter, 10004 bot
// not found); transport-level errors (401, 404 route, 5xx) use HTTP status with { code, msg }.

const chatofAi = {
	error: (status, message) => ({ code: status, msg: message }),
	unauthorized: () => 'Unauthorized',
	malformed: '{"code": 0, "data": {"leads": [',
	routes: [{ pattern: /^\/chatbot\/([^/]+)\/leads$/, leads: true, handle: chatofLeads }],
};

function chatofLeads(ctx, botUid) {
	const { query, options } = ctx;
	const requestId = crypto.randomUUID();
	const appError = (code, msg) => reply(200, { code, msg, data: null, request_id: requestId });
	const range = parseDayRange(query.start_date, query.end_date, ['start_date', 'end_date']);
	if (range.error) return appError(10001, range.error.toLowerCase());
	const page = parsePositiveInt(query.page, 1);
	if (Number.isNaN(page)) return appError(10001, 'invalid page');
	const requestedSize = parsePositiveInt(query.page_size, options.defaultPageSize);
	if (Number.isNaN(requestedSize)) return appError(10001, 'invalid page_size');
	const bot = ctx.sim._bot('chatofAi', botUid);
	if (!bot) return appError(10004, 'bot not found');

	const size = Math.min(requestedSize, options.maxPageSize);
	const result = listPage(ctx, bot, { range, page, size });
	const key = result.fault === 'shapeDrift' ? 'results' : 'leads';
	const total = options.total === 'filtered' ? result.total : result.totalAll;
	return reply(200, {
		code: 0,
		data: { [key]: result.rows, page, page_size: size, total },
		msg: 'Success.',
		request_id: requestId,
	});
}

// ─── Vendor: Robofy ────────────────────────────────────────────────────────────────────────
// GET /ai-agent/leads/{projectId}/{chatbotId}?nextPageToken=&sessionId=
//   -> 200 { message, data: { report: { columns, rows, next_page_token } } }
// GET /projects                    -> { message, data: [{ id, name }] }
// GET /ai-agent/chatbot/{projectId} -> { message, data: [{ id, name }] }
// No date filter, no page size: a fixed page size and an opaque next_page_token.
// Errors: { message, error: { code, detail } }.

const ROBOFY_CODES = {
	400: 'BAD_REQUEST',
	401: 'UNAUTHORIZED',
	403: 'FORBIDDEN',
	404: 'PROJECT_NOT_FOUND',
	405: 'BAD_REQUEST',
	429: 'TOO_MANY_REQUESTS',
};

const robofy = {
	error: (status, message, detail) => ({
		message,
		error: { code: ROBOFY_CODES[status] || 'INTERNAL_SERVER_ERROR', detail: detail || message },
	}),
	unauthorized: () => 'Unauthorized',
	unauthorizedDetail: 'The request is missing a valid bearer token.',
	malformed: '{"message": "Leads retrieved successfully.", "data": {"report": {"rows": [',
	routes: [
		{ pattern: /^\/ai-agent\/leads\/([^/]+)\/([^/]+)$/, leads: true, handle: robofyLeads },
		{ pattern: /^\/projects$/, handle: robofyProjects },
		{ pattern: /^\/ai-agent\/chatbot\/([^/]+)$/, handle: robofyChatbots },
		{ pattern: /^\/ai-agent\/inbox\/chats\/([^/]+)\/([^/]+)$/, handle: (ctx, bot, session) => robofySessionChats(ctx, bot, session, reply, vendorError(ctx)) },
	],
};

const robofyError = (status, message) => reply(status, robofy.error(status, message));

function robofyLeads(ctx, projectIdText, chatbotId) {
	const { query, options } = ctx;
	if (!/^\d+$/.test(projectIdText)) return robofyError(400, 'projectId must be an integer');
	const token = query.nextPageToken || undefined;
	const page = token === undefined ? 1 : decodeToken(token);
	if (page === undefined) return robofyError(400, 'Invalid nextPageToken');
	if (token !== undefined && tokenExpired(token, options.tokenTtlSeconds)) return robofyError(400, 'nextPageToken has expired');
	const bot = ctx.sim._bot('robofy', chatbotId);
	if (!bot || bot.projectId !== Number(projectIdText)) return robofyError(404, 'Project or chatbot not found');

	const fault = ctx.sim._takeFault(ctx, BEHAVIOUR_FAULTS);
	const kind = fault && fault.kind;
	const size = options.pageSize;
	const issuedAt = options.tokenTtlSeconds ? Date.now() : undefined;
	let rows;
	let nextToken;
	if (kind === 'endless') {
		rows = ctx.sim._endlessRows('robofy', bot, size);
		nextToken = encodeToken(page + 1, issuedAt);
	} else {
		const matching = sortedLeads(bot).filter((entry) => !query.sessionId || entry.record.session_id === query.sessionId);
		const ordered = orderRecords(matching, options.order, `robofy:${bot.id}`);
		rows = clone(slicePage(ordered, kind === 'repeatPage' ? 1 : page, size));
		nextToken = page * size < ordered.length ? encodeToken(page + 1, issuedAt) : undefined;
		// The server hands back the token it was given (page 1 gets page 2's token).
		if (kind === 'repeatToken') nextToken = token || encodeToken(2, issuedAt);
	}
	return reply(200, robofyReportBody(rows, nextToken, options, kind === 'shapeDrift'));
}

/** The docs show the token both in data.report and beside it in data; "empty or null" ends. */
function robofyReportBody(rows, nextToken, options, drift) {
	const report = { columns: [...ROBOFY_COLUMNS], [drift ? 'results' : 'rows']: rows };
	const data = { report };
	const holder = options.tokenPlacement === 'data' ? data : report;
	if (nextToken !== undefined) holder.next_page_token = nextToken;
	else if (options.emptyTokenStyle === 'null') holder.next_page_token = null;
	else if (options.emptyTokenStyle === 'empty') holder.next_page_token = '';
	return { message: 'Leads retrieved successfully.', data };
}

function robofyProjects(ctx) {
	const projects = [...ctx.sim._projects.values()].map((p) => ({ id: p.id, name: p.name }));
	return reply(200, { message: 'Projects retrieved successfully.', data: projects });
}

function robofyChatbots(ctx, projectIdText) {
	if (!/^\d+$/.test(projectIdText)) return robofyError(400, 'projectId must be an integer');
	const projectId = Number(projectIdText);
	if (!ctx.sim._projects.has(projectId)) return robofyError(404, 'Project not found');
	const bots = ctx.sim._botList('robofy').filter((b) => b.projectId === projectId);
	return reply(200, { message: 'Chatbots retrieved successfully.', data: bots.map((b) => ({ id: b.id, name: b.name })) });
}

const VENDOR_API = { chatbase, chatzuri, chatofAi, robofy };

// ─── Transport faults ──────────────────────────────────────────────────────────────────────

function htmlPage(status) {
	return `<html><body><h1>${status} ${http.STATUS_CODES[status] || 'Error'}</h1></body></html>`;
}

/** Acts out a transport-level fault; these bypass auth like a proxy or a crashing server would. */
function applyTransportFault(ctx, fault) {
	const { vendor, res, req } = ctx;
	const api = VENDOR_API[vendor];
	switch (fault.kind) {
		case 'status': {
			const status = fault.status;
			const body = fault.body === undefined ? api.error(status, http.STATUS_CODES[status] || 'Error') : fault.body;
			return send(ctx, status, body, fault.headers);
		}
		case 'html':
			return send(ctx, fault.status || 502, htmlPage(fault.status || 502), { 'content-type': 'text/html; charset=utf-8' });
		case 'malformed':
			return send(ctx, 200, api.malformed, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
		case 'empty':
			return send(ctx, 200, '', { 'content-type': 'application/json; charset=utf-8' });
		case 'echoAuth': {
			// Deliberately leaky server: tests use it to prove the client never logs or surfaces this.
			const status = fault.status || 401;
			const auth = req.headers.authorization || '';
			const message = `Invalid credentials: received Authorization "${auth}"`;
			return send(ctx, status, { ...api.error(status, message), authorization: auth });
		}
		case 'truncated': {
			// Promise more bytes than we send, then drop the connection mid-body.
			const partial = `${api.malformed}{"id": "lead_`;
			ctx.entry.status = 200;
			res.writeHead(200, {
				'content-type': 'application/json; charset=utf-8',
				'content-length': Buffer.byteLength(partial) + 4096,
			});
			res.write(partial, () => req.socket.destroy());
			return ctx.sim._notify(ctx.entry);
		}
		case 'hang':
			// Never answer; stop() destroys the socket.
			return ctx.sim._notify(ctx.entry);
		case 'reset':
			req.socket.destroy();
			return ctx.sim._notify(ctx.entry);
		default:
			throw new Error(`Unhandled fault kind ${fault.kind}`);
	}
}

/** Validates a fault given to injectFault (or the admin API) and returns the queued copy. */
function normalizeFault(vendor, fault) {
	if (!fault || typeof fault !== 'object') throw new Error('fault must be an object');
	const kinds = [...TRANSPORT_FAULTS, ...BEHAVIOUR_FAULTS];
	if (!kinds.includes(fault.kind)) throw new Error(`Unknown fault kind "${fault.kind}" (expected one of ${kinds.join(', ')})`);
	if (fault.kind === 'status' && !Number.isInteger(fault.status)) throw new Error('status fault needs an integer status');
	if (fault.kind === 'repeatToken' && vendor !== 'robofy') {
		throw new Error('repeatToken is for robofy; page-based vendors use repeatPage');
	}
	let times = fault.times === undefined ? 1 : fault.times;
	if (times === 'Infinity' || fault.kind === 'endless') times = Infinity;
	if (!(times === Infinity || (Number.isInteger(times) && times > 0))) throw new Error('fault.times must be a positive integer or Infinity');
	const match = { ...(fault.match || {}) };
	// JSON cannot carry a RegExp, so the admin API accepts { pathRegex: "..." } instead.
	if (typeof match.pathRegex === 'string') match.path = new RegExp(match.pathRegex);
	delete match.pathRegex;
	return { ...fault, match, times, remaining: times };
}

function faultMatches(fault, ctx) {
	const { path, page, chatbotId } = fault.match;
	if (path instanceof RegExp) {
		path.lastIndex = 0;
		if (!path.test(ctx.path)) return false;
	} else if (typeof path === 'string' && !ctx.path.includes(path)) {
		return false;
	}
	if (chatbotId !== undefined && requestedChatbot(ctx.vendor, ctx.path, ctx.query) !== chatbotId) return false;
	return page === undefined || page === ctx.page;
}

/**
 * The chatbot a lead-list request asks for (Chatbase `chatbotId`, Chatzuri `agentId`, Chatof.ai and
 * Robofy in the path); undefined for other requests, such as the chatbot lists.
 */
function requestedChatbot(vendor, path, query) {
	// Conversations of a chatbot count as its requests too (a fault can refuse one chatbot's).
	if (vendor === 'chatbase') return path === '/get-leads' || path === '/get-conversations' ? query.chatbotId : undefined;
	if (vendor === 'chatzuri') return path === '/get-leads' || path === '/get-conversations' ? query.agentId : undefined;
	const m = vendor === 'chatofAi' ? /^\/chatbot\/([^/]+)\/leads$/.exec(path) : /^\/ai-agent\/leads\/[^/]+\/([^/]+)$/.exec(path);
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]);
	} catch {
		return m[1];
	}
}

/** The page a request asks for, used by fault `match.page`. */
function requestedPage(vendor, query) {
	if (vendor === 'robofy') return query.nextPageToken ? decodeToken(query.nextPageToken) : 1;
	const page = parsePositiveInt(query.page, 1);
	return Number.isNaN(page) ? undefined : page;
}

// ─── Admin API ─────────────────────────────────────────────────────────────────────────────

class AdminError extends Error {}

function readJsonBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('error', reject);
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8').trim();
			if (!text) return resolve({});
			try {
				resolve(JSON.parse(text));
			} catch {
				reject(new AdminError('Request body is not valid JSON'));
			}
		});
	});
}

/** Admin routes: `${method} ${path}` -> (sim, body, query) => JSON result. */
const ADMIN_ROUTES = {
	'GET /__admin/info': (sim) => ({ url: sim.url, baseUrls: sim.baseUrls, keys: sim.keys, webhookSecrets: sim.webhookSecrets }),
	'POST /__admin/reset': (sim) => (sim.reset(), { ok: true }),
	'POST /__admin/seed': (sim) => ({ ok: true, seed: sim.seed() }),
	'POST /__admin/chatbots': (sim, b) => ({ chatbot: sim.addChatbot(b.vendor, b.chatbotId, b) }),
	'POST /__admin/leads': (sim, b) => ({
		leads: sim.addLeads(b.vendor, b.chatbotId, b.leads || [], { projectId: b.projectId }),
	}),
	'GET /__admin/leads': (sim, b, q) => ({ leads: sim.leads(q.vendor, q.chatbotId) }),
	'POST /__admin/conversations': (sim, b) => ({
		conversation: sim.addConversation(b.vendor, b.chatbotId, b.conversation || {}, { projectId: b.projectId }),
	}),
	'POST /__admin/generate': (sim, b) => ({
		leads: sim.generateLeads(b.vendor, b.chatbotId, b.count, { start: b.start, stepMs: b.stepMs, projectId: b.projectId }),
	}),
	'POST /__admin/options': (sim, b) => ({ options: sim.setOptions(b.vendor, b.options || {}) }),
	'GET /__admin/options': (sim, b, q) => ({ options: sim.getOptions(q.vendor) }),
	'POST /__admin/faults': (sim, b) => (sim.injectFault(b.vendor, b.fault), { ok: true }),
	'DELETE /__admin/faults': (sim) => (sim.clearFaults(), { ok: true }),
	'GET /__admin/requests': (sim, b, q) => ({
		requests: q.vendor ? sim.requests.filter((r) => r.vendor === q.vendor) : sim.requests,
	}),
	'DELETE /__admin/requests': (sim) => (sim.clearRequests(), { ok: true }),
	'POST /__admin/webhooks': async (sim, b) => ({ webhook: await sim.sendWebhook(b) }),
	'POST /__admin/webhooks/redeliver': async (sim, b) => ({ webhook: await sim.redeliverWebhook(b.id, b) }),
	'GET /__admin/webhooks': (sim) => ({ webhooks: sim.webhooks }),
};

async function handleAdmin(sim, req, res, pathname, query) {
	const ctx = { sim, res, entry: null };
	const route = ADMIN_ROUTES[`${req.method} ${pathname}`];
	if (!route) return send(ctx, 404, { error: `No admin route ${req.method} ${pathname}` });
	try {
		const body = req.method === 'GET' ? {} : await readJsonBody(req);
		return send(ctx, 200, await route(sim, body, query));
	} catch (err) {
		return send(ctx, 400, { error: err instanceof Error ? err.message : String(err) });
	}
}

// ─── The simulator ─────────────────────────────────────────────────────────────────────────

function isLoopback(host) {
	return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function normalizeCreateOptions(options) {
	const keys = perVendor((v) => `sim-${v}-key`);
	for (const [vendor, key] of Object.entries(options.keys || {})) {
		assertVendor(vendor);
		keys[vendor] = key;
	}
	const vendors = perVendor((v) => ({ ...DEFAULT_OPTIONS[v] }));
	for (const [vendor, opts] of Object.entries(options.vendors || {})) {
		assertVendor(vendor);
		vendors[vendor] = checkedOptions(vendor, vendors[vendor], opts);
	}
	if (options.chatbaseTimestampStyle) {
		vendors.chatbase = checkedOptions('chatbase', vendors.chatbase, { timestampStyle: options.chatbaseTimestampStyle });
	}
	const webhookSecrets = { chatbase: 'sim-chatbase-webhook-secret', chatzuri: 'sim-chatzuri-webhook-secret', ...options.webhookSecrets };
	return { keys, vendors, webhookSecrets, onRequest: options.onRequest };
}

function checkedOptions(vendor, current, changes) {
	const next = { ...current };
	for (const [key, value] of Object.entries(changes || {})) {
		if (!(key in DEFAULT_OPTIONS[vendor])) {
			throw new Error(`Unknown ${vendor} option "${key}" (known: ${Object.keys(DEFAULT_OPTIONS[vendor]).join(', ')})`);
		}
		const verdict = OPTION_CHECKS[key](value);
		if (verdict !== true) throw new Error(`${vendor} option ${key} ${verdict}`);
		next[key] = value;
	}
	return next;
}

class Simulator {
	constructor(options = {}) {
		this.inFlight = 0;
		this.maxInFlight = 0;
		this._initial = normalizeCreateOptions(options);
		this.keys = Object.freeze({ ...this._initial.keys });
		/** The signing secret each webhook vendor uses unless a send says otherwise. */
		this.webhookSecrets = Object.freeze({ ...this._initial.webhookSecrets });
		/** Webhooks sent: { id, vendor, shape, url, body (the exact text), headers, event, stored, deliveries }. */
		this.webhooks = [];
		/** Log of vendor requests: { vendor, method, path, query, status, fault?, at }. Never headers. */
		this.requests = [];
		this._server = null;
		this._url = null;
		this._sockets = new Set();
		this._timers = new Set();
		this._vendorInFlight = perVendor(() => 0);
		this._clearState();
		if (options.seed) this.seed();
	}

	// ── lifecycle ──

	/** Starts listening (loopback only) and resolves with the base url, e.g. http://127.0.0.1:5680. */
	start(port = 0, host = '127.0.0.1') {
		if (this._server) return Promise.reject(new Error('Simulator already started'));
		if (!isLoopback(host)) return Promise.reject(new Error(`Refusing to listen on non-loopback host "${host}"`));
		const server = http.createServer((req, res) => {
			this._handle(req, res).catch((err) => this._internalError(res, err));
		});
		server.on('connection', (socket) => {
			this._sockets.add(socket);
			socket.on('close', () => this._sockets.delete(socket));
		});
		return new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				const address = server.address();
				const shownHost = address.family === 'IPv6' || address.family === 6 ? `[${address.address}]` : address.address;
				this._server = server;
				this._url = `http://${shownHost}:${address.port}`;
				resolve(this._url);
			});
		});
	}

	/** Closes the server, destroying open sockets (hanging requests included). */
	stop() {
		const server = this._server;
		if (!server) return Promise.resolve();
		this._server = null;
		this._url = null;
		for (const timer of this._timers) clearTimeout(timer);
		this._timers.clear();
		for (const socket of this._sockets) socket.destroy();
		return new Promise((resolve) => server.close(() => resolve()));
	}

	get url() {
		if (!this._url) throw new Error('Simulator is not started');
		return this._url;
	}

	get port() {
		return Number(new URL(this.url).port);
	}

	get baseUrls() {
		const url = this.url;
		return perVendor((v) => `${url}${PREFIXES[v]}`);
	}

	// ── data ──

	/** Clears data, faults and the request log, and puts options back to the creation-time values. */
	reset() {
		this.maxInFlight = this.inFlight ?? 0;
		this._clearState();
	}

	addChatbot(vendor, chatbotId, { name, projectId } = {}) {
		assertVendor(vendor);
		if (typeof chatbotId !== 'string' || !chatbotId) throw new Error('chatbotId must be a non-empty string');
		const existing = this._bots[vendor].get(chatbotId);
		if (vendor === 'robofy') {
			if (projectId === undefined && existing) projectId = existing.projectId;
			if (!Number.isInteger(projectId)) throw new Error('robofy chatbots need an integer projectId');
			if (existing && existing.projectId !== projectId) {
				throw new Error(`robofy chatbot ${chatbotId} belongs to project ${existing.projectId}`);
			}
			this.addProject(projectId);
		}
		if (existing) {
			if (name) existing.name = name;
			return { id: existing.id, name: existing.name, projectId: existing.projectId };
		}
		const bot = { id: chatbotId, name: name || `Chatbot ${chatbotId}`, projectId: vendor === 'robofy' ? projectId : undefined, leads: [] };
		this._bots[vendor].set(chatbotId, bot);
		return { id: bot.id, name: bot.name, projectId: bot.projectId };
	}

	/** Deletes a chatbot and its leads (it disappears from the chatbot lists too). Returns whether it existed. */
	removeChatbot(vendor, chatbotId) {
		assertVendor(vendor);
		return this._bots[vendor].delete(chatbotId);
	}

	/** Leaves a chatbot out of the chatbot lists (or puts it back) while its leads stay served. Returns whether it exists. */
	setChatbotListed(vendor, chatbotId, listed) {
		assertVendor(vendor);
		const bot = this._bots[vendor].get(chatbotId);
		if (bot) bot.unlisted = !listed;
		return bot !== undefined;
	}

	/** Robofy projects; created implicitly by addChatbot/addLeads too. */
	addProject(projectId, name) {
		if (!Number.isInteger(projectId)) throw new Error('projectId must be an integer');
		const project = this._projects.get(projectId) || { id: projectId, name: `Project ${projectId}` };
		if (name) project.name = name;
		this._projects.set(projectId, project);
		return { ...project };
	}

	/** Builds one record in the vendor's exact wire shape; missing values get defaults. */
	makeLead(vendor, spec = {}) {
		assertVendor(vendor);
		const at = spec.createdAt === undefined ? new Date() : toDate(spec.createdAt);
		// Chatof.ai has no id; its conversation_uid plays that role here.
		const given = vendor === 'chatofAi' ? (spec.conversationId ?? spec.id) : spec.id;
		const id = this._takeId(vendor, given);
		// The vendor writes the capture instant by its own clock (a skewed clock, or a zone-less
		// local time that is not UTC); its date filters and ordering then use those written times.
		const written = new Date(at.getTime() + this._options[vendor].clockOffsetMinutes * 60000);
		const record = LEAD_FACTORIES[vendor](spec, written, id, this._options[vendor]);
		// A time the wire does not carry readably; the server still sorts and filters by `written`.
		if (spec.createdAtText !== undefined) {
			record.created_at = spec.createdAtText;
			STORED_TIMES.set(record, written.getTime());
		}
		return record;
	}

	/**
	 * Stores leads for a chatbot (created if needed). Each item is a partial wire record (missing
	 * fields filled in) or a makeLead spec. The chatbot reference field is set to `chatbotId`.
	 */
	addLeads(vendor, chatbotId, leads, { projectId } = {}) {
		assertVendor(vendor);
		if (!Array.isArray(leads)) throw new Error('leads must be an array');
		this.addChatbot(vendor, chatbotId, { projectId });
		const bot = this._bots[vendor].get(chatbotId);
		const records = leads.map((item) => this._completeRecord(vendor, chatbotId, item || {}));
		bot.leads.push(...records);
		bot.version = (bot.version || 0) + 1;
		return clone(records);
	}

	/** Stores a conversation of a chatbot (Chatbase, Chatzuri, Robofy: a session); returns its record. */
	addConversation(vendor, chatbotId, spec = {}, { projectId } = {}) {
		assertVendor(vendor);
		this.addChatbot(vendor, chatbotId, { projectId });
		const bot = this._bots[vendor].get(chatbotId);
		const record = makeConversation(vendor, chatbotId, spec);
		(bot.conversations ||= []).push(record);
		return clone(record);
	}

	/** Stores records exactly as given (no defaults, no validation): for hostile-data tests. */
	addRawLeads(vendor, chatbotId, records, { projectId } = {}) {
		assertVendor(vendor);
		this.addChatbot(vendor, chatbotId, { projectId });
		const bot = this._bots[vendor].get(chatbotId);
		const stored = clone(records);
		// A time the API writes unreadably is still a time in the vendor's database: now, for its date filters and order.
		for (const record of stored) if (Number.isNaN(recordTime(record))) STORED_TIMES.set(record, Date.now());
		bot.leads.push(...stored);
		bot.version = (bot.version || 0) + 1;
	}

	/** Adds `count` leads with increasing created_at (default: ending about now) and unique ids. */
	generateLeads(vendor, chatbotId, count, { start, stepMs = 60000, projectId, fields } = {}) {
		assertVendor(vendor);
		if (!Number.isInteger(count) || count < 0) throw new Error('count must be an integer >= 0');
		const startMs = start === undefined ? Date.now() - count * stepMs : toDate(start, 'start').getTime();
		const existing = this._bots[vendor].has(chatbotId) ? this._bots[vendor].get(chatbotId).leads.length : 0;
		const specs = [];
		for (let i = 0; i < count; i++) {
			const n = existing + i + 1;
			const { name, email, phone } = person(n);
			const extra = typeof fields === 'function' ? fields(i) : fields;
			specs.push({ createdAt: new Date(startMs + i * stepMs), name, email, phone, fields: extra });
		}
		return this.addLeads(vendor, chatbotId, specs, { projectId });
	}

	leads(vendor, chatbotId) {
		assertVendor(vendor);
		const bot = this._bots[vendor].get(chatbotId);
		return bot ? clone(bot.leads) : [];
	}

	/** Demo data: 25 leads per vendor, deterministic names and timestamps. */
	seed() {
		const common = { start: SEED.start, stepMs: SEED.stepMs };
		this.addChatbot('chatbase', SEED.chatbase, { name: 'Demo Chatbase Bot' });
		this.generateLeads('chatbase', SEED.chatbase, SEED.count, common);
		this.addChatbot('chatzuri', SEED.chatzuri, { name: 'Demo Chatzuri Agent' });
		this.generateLeads('chatzuri', SEED.chatzuri, SEED.count, common);
		this.addChatbot('chatofAi', SEED.chatofAi, { name: 'Demo Chatof Bot' });
		this.generateLeads('chatofAi', SEED.chatofAi, SEED.count, common);
		this.addProject(SEED.robofyProjectId, 'Demo Project');
		this.addChatbot('robofy', SEED.robofy, { name: 'Demo Robofy Agent', projectId: SEED.robofyProjectId });
		this.generateLeads('robofy', SEED.robofy, SEED.count, {
			...common,
			fields: (i) => ({ company: person(i + 1).company }),
		});
		return {
			chatbase: { chatbotId: SEED.chatbase },
			chatzuri: { chatbotId: SEED.chatzuri },
			chatofAi: { chatbotId: SEED.chatofAi },
			robofy: { projectId: SEED.robofyProjectId, chatbotId: SEED.robofy },
		};
	}

	// ── behaviour ──

	setOptions(vendor, options) {
		assertVendor(vendor);
		this._options[vendor] = checkedOptions(vendor, this._options[vendor], options);
		return { ...this._options[vendor] };
	}

	getOptions(vendor) {
		assertVendor(vendor);
		return { ...this._options[vendor] };
	}

	injectFault(vendor, fault) {
		assertVendor(vendor);
		this._faults[vendor].push(normalizeFault(vendor, fault));
	}

	clearFaults() {
		this._faults = perVendor(() => []);
	}

	requestCount(vendor) {
		return vendor ? this.requests.filter((r) => r.vendor === vendor).length : this.requests.length;
	}

	clearRequests() {
		this.requests.length = 0;
	}

	// ── webhooks (push) ──

	/**
	 * POSTs a vendor webhook to `url` (loopback only), signed the way the vendor signs, and
	 * resolves the log entry with every delivery's { status, body, sentAt, ms }. A lead event
	 * with a `lead` also stores that lead (`store: false` does not), as the vendor's API would
	 * then list it. See README.md, Webhooks, for the options.
	 */
	async sendWebhook(options = {}) {
		const { vendor, url, chatbotId, lead, eventType, timestamp, payload, body, projectId } = options;
		const shape = options.shape ?? (vendor === 'chatbase' ? 'api' : 'guide');
		const secret = options.secret === undefined ? this.webhookSecrets[vendor] : options.secret;
		assertLoopbackUrl(url);
		// One capture instant for the event's timestamp (Chatzuri's guide shape) and the stored lead.
		const capturedAt = new Date(lead && lead.createdAt !== undefined ? lead.createdAt : Date.now()).toISOString();
		const event = body === undefined ? webhookEvent(vendor, shape, { chatbotId, lead, eventType, timestamp: timestamp ?? capturedAt, payload }) : undefined;
		if (body !== undefined && !WEBHOOK_SHAPES[vendor]) throw new Error(`Only chatbase and chatzuri send lead webhooks (got "${vendor}")`);
		let raw = Buffer.from(body ?? JSON.stringify(event, null, options.pretty ? 2 : undefined), 'utf8');
		const headers = {
			'content-type': options.contentType ?? 'application/json',
			'user-agent': `${vendor}-webhooks (n8n-nodes-chatbot-leads simulator)`,
			...signatureHeaders(vendor, shape, raw, secret, options.signature),
		};
		// Signed first, then one byte more: the JSON still means the same, but it is not what was signed.
		if (options.signature === 'tampered') raw = Buffer.concat([raw, Buffer.from(' ')]);
		const isLead = event && /^leads?\.submit$/.test(event.eventType ?? event.event) && payload === undefined;
		const stored = isLead && lead && options.store !== false ? this.addLeads(vendor, chatbotId, [{ ...lead, createdAt: capturedAt }], { projectId })[0] : undefined;
		const entry = { id: `wh_${this.webhooks.length + 1}`, vendor, shape, url, body: raw.toString('utf8'), headers, event, stored, deliveries: [] };
		this.webhooks.push(entry);
		entry.deliveries.push(...(await deliverCopies(url, raw, headers, options)));
		return clone(entry);
	}

	/** Sends a logged webhook again, byte for byte, with the same headers (a vendor's retry). */
	async redeliverWebhook(id, options = {}) {
		const entry = this.webhooks.find((webhook) => webhook.id === id);
		if (!entry) throw new Error(`No webhook ${id} was sent`);
		const deliveries = await deliverCopies(entry.url, Buffer.from(entry.body, 'utf8'), entry.headers, options);
		entry.deliveries.push(...deliveries);
		return { ...clone(entry), deliveries };
	}

	// ── internals ──

	_clearState() {
		this._options = perVendor((v) => ({ ...this._initial.vendors[v] }));
		this._bots = perVendor(() => new Map());
		this._projects = new Map();
		this._faults = perVendor(() => []);
		this._counters = perVendor(() => 0);
		this._usedIds = perVendor(() => new Set());
		this.requests.length = 0;
		if (this.webhooks) this.webhooks.length = 0;
	}

	_bot(vendor, id) {
		return this._bots[vendor].get(id);
	}

	_botList(vendor) {
		return [...this._bots[vendor].values()].filter((bot) => !bot.unlisted);
	}

	/** Reserves `given`, or the next free generated id, so ids never collide within a vendor. */
	_takeId(vendor, given) {
		if (given !== undefined && given !== null) {
			this._usedIds[vendor].add(String(given));
			return given;
		}
		let id;
		do {
			this._counters[vendor] += 1;
			id = ID_FORMATS[vendor](this._counters[vendor]);
		} while (this._usedIds[vendor].has(String(id)));
		this._usedIds[vendor].add(String(id));
		return id;
	}

	_completeRecord(vendor, chatbotId, item) {
		let record;
		if (looksLikeSpec(vendor, item)) {
			record = this.makeLead(vendor, { ...item, chatbotId });
		} else {
			const given = item[ID_FIELD[vendor]];
			const createdAt = item.created_at === undefined ? undefined : toDate(item.created_at, 'created_at');
			const defaults = this.makeLead(vendor, { id: given, createdAt, chatbotId });
			record = { ...defaults, ...clone(item) };
		}
		if (BOT_FIELD[vendor]) record[BOT_FIELD[vendor]] = chatbotId;
		return record;
	}

	/** A full page of never-seen leads, for tests that check a client caps its paging. */
	_endlessRows(vendor, bot, size) {
		const rows = [];
		for (let i = 0; i < size; i++) {
			const n = this._counters[vendor] + 1;
			const { name, email, phone } = person(n);
			rows.push(this.makeLead(vendor, { createdAt: new Date(Date.now() - n * 1000), name, email, phone, chatbotId: bot.id }));
		}
		return rows;
	}

	/** Takes the first queued fault of the given kinds that matches this request (FIFO). */
	_takeFault(ctx, kinds) {
		const queue = this._faults[ctx.vendor];
		const index = queue.findIndex((f) => kinds.includes(f.kind) && faultMatches(f, ctx));
		if (index < 0) return undefined;
		const fault = queue[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) queue.splice(index, 1);
		ctx.entry.fault = fault.kind;
		return fault;
	}

	_delay(ms) {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this._timers.delete(timer);
				resolve();
			}, ms);
			this._timers.add(timer);
		});
	}

	_notify(entry) {
		if (entry && this._initial.onRequest) this._initial.onRequest({ ...entry });
	}

	_internalError(res, err) {
		if (res.headersSent) return res.destroy();
		const body = JSON.stringify({ message: 'Simulator internal error', detail: String(err && err.stack) });
		res.writeHead(500, { 'content-type': 'application/json' });
		res.end(body);
	}

	async _handle(req, res) {
		const url = new URL(req.url, 'http://simulator.local');
		const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
		const query = Object.fromEntries(url.searchParams);
		if (pathname.startsWith('/__admin/')) return handleAdmin(this, req, res, pathname, query);

		const vendor = VENDORS.find((v) => pathname === PREFIXES[v] || pathname.startsWith(`${PREFIXES[v]}/`));
		if (!vendor) {
			return send({ sim: this, res }, 404, { message: `Not found. Vendor APIs live under ${Object.values(PREFIXES).join(', ')}` });
		}
		const path = pathname.slice(PREFIXES[vendor].length) || '/';
		const entry = { vendor, method: req.method, path, query, status: null, at: new Date().toISOString() };
		this.requests.push(entry);
		// How many vendor requests were open at once: shows whether a client pages concurrently.
		this.inFlight = (this.inFlight ?? 0) + 1;
		this.maxInFlight = Math.max(this.maxInFlight ?? 0, this.inFlight);
		this._vendorInFlight[vendor] += 1;
		res.on('close', () => {
			this.inFlight -= 1;
			this._vendorInFlight[vendor] -= 1;
		});
		const ctx = { sim: this, vendor, req, res, path, query, entry, page: requestedPage(vendor, query) };

		// A server that limits concurrent requests per key: over the limit, an immediate 429.
		const { maxConcurrentRequests, retryAfterSeconds } = this._options[vendor];
		if (maxConcurrentRequests > 0 && this._vendorInFlight[vendor] > maxConcurrentRequests) {
			entry.fault = 'concurrencyLimit';
			const body = VENDOR_API[vendor].error(429, 'Too many requests');
			return send(ctx, 429, body, { 'Retry-After': String(retryAfterSeconds) });
		}

		const latency = this._options[vendor].latencyMs;
		if (latency > 0) await this._delay(latency);
		if (res.destroyed) return undefined;
		// Options as they are when the request is served (after the delay).
		ctx.options = { ...this._options[vendor] };

		const transportFault = this._takeFault(ctx, TRANSPORT_FAULTS);
		if (transportFault) return applyTransportFault(ctx, transportFault);

		const api = VENDOR_API[vendor];
		const auth = req.headers.authorization;
		const presented = /^bearer\s+(.+)$/i.exec(auth || '');
		if (!presented || presented[1].trim() !== this.keys[vendor]) {
			// Chatof.ai reports failures as HTTP 200 with a non-zero code; authErrorCode makes a wrong key one of them.
			if (ctx.options.authErrorCode) return send(ctx, 200, { code: ctx.options.authErrorCode, msg: api.unauthorized(Boolean(auth)), data: null });
			return send(ctx, 401, api.error(401, api.unauthorized(Boolean(auth)), api.unauthorizedDetail));
		}

		for (const route of api.routes) {
			const m = route.pattern.exec(path);
			if (!m) continue;
			if (req.method !== 'GET') return send(ctx, 405, api.error(405, 'Method not allowed'));
			const params = m.slice(1).map((p) => decodeURIComponent(p));
			const result = route.handle(ctx, ...params);
			return send(ctx, result.status, result.body, result.headers);
		}
		return send(ctx, 404, api.error(404, 'Not found'));
	}
}

function createSimulator(options = {}) {
	return new Simulator(options);
}

/** createSimulator + start; `options.port` / `options.host` choose where to listen. */
async function startSimulator(options = {}) {
	const sim = createSimulator(options);
	await sim.start(options.port, options.host);
	return sim;
}

module.exports = {
	createSimulator,
	startSimulator,
	Simulator,
	VENDORS,
	PREFIXES,
	DEFAULT_OPTIONS,
	SEED,
	encodeToken,
	decodeToken,
	requestedChatbot,
};
