'use strict';

// ─── Vendor: Robofy ────────────────────────────────────────────────────────────────────────
// GET /ai-agent/leads/{projectId}/{chatbotId}?nextPageToken=&sessionId=
//   -> 200 { message, data: { report: { columns, rows, next_page_token } } }
// GET /projects                    -> { message, data: [{ id, name }] }
// GET /ai-agent/chatbot/{projectId} -> { message, data: [{ id, name }] }
// No date filter, no page size: a fixed page size and an opaque next_page_token.
// Errors: { message, error: { code, detail } }.

const { clone, hash32, person, decodedMatch } = require('../util');
const { isoSeconds } = require('../time');
const { reply, vendorError } = require('../respond');
const { sortedLeads, orderRecords, slicePage } = require('../paging');
const { BEHAVIOUR_FAULTS } = require('../faults');
const { robofySessionChats } = require('../conversations');

const ROBOFY_COLUMNS = Object.freeze(['id', 'created_at', 'source', 'page_url', 'ip_address', 'lead_data']);

const ROBOFY_CODES = {
	400: 'BAD_REQUEST',
	401: 'UNAUTHORIZED',
	403: 'FORBIDDEN',
	404: 'PROJECT_NOT_FOUND',
	405: 'BAD_REQUEST',
	429: 'TOO_MANY_REQUESTS',
};

/** No zone at all: the client has to know it is UTC. */
const formatTime = (date) => isoSeconds(date).replace('T', ' ');

// ─── Page tokens ───────────────────────────────────────────────────────────────────────────

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

// ─── Records ───────────────────────────────────────────────────────────────────────────────

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

// ─── Routes ────────────────────────────────────────────────────────────────────────────────

const error = (status, message, detail) => ({
	message,
	error: { code: ROBOFY_CODES[status] || 'INTERNAL_SERVER_ERROR', detail: detail || message },
});
const robofyError = (status, message) => reply(status, error(status, message));

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

/** @type {import('./index').VendorPlugin} */
module.exports = {
	name: 'robofy',
	prefix: '/robofy/v1',
	defaults: { order: 'desc', latencyMs: 0, pageSize: 20, emptyTokenStyle: 'null', tokenPlacement: 'report', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1, tokenTtlSeconds: 0 },
	formatTime,
	makeRecord: (spec, at, id) => ({
		id: String(id),
		created_at: formatTime(at),
		source: spec.source ?? 'chatbot',
		page_url: spec.pageUrl ?? 'https://example.com/contact',
		ip_address: spec.ipAddress ?? `203.0.113.${(hash32(String(id)) % 254) + 1}`,
		session_id: spec.sessionId ?? `sess_${id}`,
		lead_data: robofyLeadData(spec),
	}),
	newId: (n) => `lead_${n}`,
	idField: 'id',
	// Its conversations are sessions: generated ids look like session ids.
	conversationIdPrefix: 'sess_conv_',
	botField: null,
	// A wire record has lead_data; name/email/phone without it are a makeLead spec.
	looksLikeSpec: (item) => !('lead_data' in item) && ['name', 'email', 'phone'].some((k) => k in item),
	projects: true,
	tokenPaging: true,
	requestedChatbot: (path) => decodedMatch(/^\/ai-agent\/leads\/[^/]+\/([^/]+)$/, path),
	requestedPage: (query) => (query.nextPageToken ? decodeToken(query.nextPageToken) : 1),
	seed: {
		chatbotId: 'demo-robofy-agent',
		name: 'Demo Robofy Agent',
		projectId: 101,
		projectName: 'Demo Project',
		fields: (i) => ({ company: person(i + 1).company }),
	},
	api: {
		error,
		unauthorized: () => 'Unauthorized',
		unauthorizedDetail: 'The request is missing a valid bearer token.',
		malformed: '{"message": "Leads retrieved successfully.", "data": {"report": {"rows": [',
		routes: [
			{ pattern: /^\/ai-agent\/leads\/([^/]+)\/([^/]+)$/, leads: true, handle: robofyLeads },
			{ pattern: /^\/projects$/, handle: robofyProjects },
			{ pattern: /^\/ai-agent\/chatbot\/([^/]+)$/, handle: robofyChatbots },
			{ pattern: /^\/ai-agent\/inbox\/chats\/([^/]+)\/([^/]+)$/, handle: (ctx, bot, session) => robofySessionChats(ctx, bot, session, reply, vendorError(ctx)) },
		],
	},
	encodeToken,
	decodeToken,
};
