'use strict';

// ─── Vendor: Chatbase ──────────────────────────────────────────────────────────────────────
// GET /get-leads?chatbotId=&startDate=&endDate=&page=&size=  ->  200 { collectedCustomers: [...] }
// GET /get-chatbots                                          ->  200 { chatbots: [{ id, name }] }
// Errors: { message } with 400 / 401 / 404 / 500.

const { hash32 } = require('../util');
const { reply, vendorError } = require('../respond');
const { dayPagedLeads } = require('../paging');
const { dayPagedConversations } = require('../conversations');

/** ISO with Z, or Postgres-style "+00:00" with microseconds (both occur in the wild). */
function formatTime(date, style, id) {
	if (style !== 'postgres') return date.toISOString();
	const micros = String(hash32(String(id)) % 1000).padStart(3, '0');
	return `${date.toISOString().slice(0, 23)}${micros}+00:00`;
}

const leadsStyle = {
	idParam: 'chatbotId',
	notFound: 'Chatbot not found',
	status: 200,
	// Both shapes occur: the docs' bare array, and the array under `.data` seen by integrators.
	body: (rows, ctx, drift) => {
		if (drift) return { results: rows };
		return { collectedCustomers: ctx.options.envelope === 'data' ? { data: rows } : rows };
	},
};

/** @type {import('./index').VendorPlugin} */
module.exports = {
	name: 'chatbase',
	prefix: '/chatbase/api/v1',
	defaults: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, envelope: 'array', timestampStyle: 'iso', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	formatTime,
	makeRecord: (spec, at, id, opts) => ({
		id: String(id),
		name: spec.name ?? null,
		email: spec.email ?? null,
		phone: spec.phone ?? null,
		created_at: formatTime(at, opts.timestampStyle, id),
		chatbot_id: spec.chatbotId ?? '',
		account_id: spec.accountId ?? 'acc_sim_0001',
		// Not documented on the lead list; one public script reads it: present only when given.
		...(spec.conversationId === undefined ? {} : { conversation_id: spec.conversationId }),
	}),
	newId: (n) => `lead_${n}`,
	idField: 'id',
	botField: 'chatbot_id',
	// Conversations of a chatbot count as its requests too (a fault can refuse one chatbot's).
	requestedChatbot: (path, query) => (path === '/get-leads' || path === '/get-conversations' ? query.chatbotId : undefined),
	seed: { chatbotId: 'demo-chatbase-bot', name: 'Demo Chatbase Bot' },
	// leads.submit: { eventType, chatbotId, payload: customer fields }, hex HMAC-SHA1 in x-chatbase-signature.
	webhook: {
		secret: 'sim-chatbase-webhook-secret',
		defaultShape: 'api',
		shapes: ['api'],
		event: (shape, { chatbotId, lead, eventType, payload }, customer) => ({ eventType: eventType ?? 'leads.submit', chatbotId, payload: payload ?? customer(lead) }),
		sign: (shape, raw, key, signature, hmac) => ({ 'x-chatbase-signature': hmac('sha1', key, raw) }),
	},
	api: {
		error: (status, message) => ({ message }),
		unauthorized: (hasKey) => (hasKey ? 'Invalid API key.' : 'No API key provided.'),
		malformed: '{"collectedCustomers": [',
		routes: [
			{ pattern: /^\/get-leads$/, leads: true, handle: (ctx) => dayPagedLeads(ctx, leadsStyle) },
			{ pattern: /^\/get-conversations$/, handle: (ctx) => dayPagedConversations(ctx, 'chatbotId', reply, vendorError(ctx)) },
			{
				pattern: /^\/get-chatbots$/,
				handle: (ctx) => reply(200, { chatbots: ctx.sim._botList('chatbase').map((b) => ({ id: b.id, name: b.name })) }),
			},
		],
	},
};
