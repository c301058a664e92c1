'use strict';

// ─── Vendor: Chatzuri ──────────────────────────────────────────────────────────────────────
// Same as Chatbase but `agentId`, and the documented success status is 202 with { data: [...] }.

const { deterministicUuid } = require('../util');
const { reply, vendorError } = require('../respond');
const { dayPagedLeads } = require('../paging');
const { dayPagedConversations } = require('../conversations');

const formatTime = (date) => date.toISOString();

const leadsStyle = {
	idParam: 'agentId',
	notFound: 'Agent not found',
	status: 202,
	body: (rows, ctx, drift) => (drift ? { results: rows } : { data: rows }),
};

/** @type {import('./index').VendorPlugin} */
module.exports = {
	name: 'chatzuri',
	prefix: '/chatzuri/api/v1',
	defaults: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	formatTime,
	makeRecord: (spec, at, id) => ({
		id,
		created_at: formatTime(at),
		chatbot_owner_user_id: spec.ownerUserId ?? deterministicUuid('chatzuri-owner'),
		chatbot_id: spec.chatbotId ?? '',
		phone: spec.phone ?? null,
		email: spec.email ?? null,
		name: spec.name ?? null,
	}),
	// Numbers, not strings.
	newId: (n) => n,
	idField: 'id',
	botField: 'chatbot_id',
	requestedChatbot: (path, query) => (path === '/get-leads' || path === '/get-conversations' ? query.agentId : undefined),
	seed: { chatbotId: 'demo-chatzuri-agent', name: 'Demo Chatzuri Agent' },
	// guide: { event, timestamp, agent_id, data }; api: { eventType, agentId, payload }; apiLegacy:
	// { eventType: 'leads.submit', chatbotId, payload } signed with a bare hex SHA-1. The others:
	// X-Chatzuri-Signature: sha256=<hex or base64>.
	webhook: {
		secret: 'sim-chatzuri-webhook-secret',
		defaultShape: 'guide',
		shapes: ['guide', 'api', 'apiLegacy'],
		event: (shape, { chatbotId, lead, eventType, timestamp, payload }, customer) => {
			if (shape === 'guide') {
				const data = payload ?? { name: lead.name ?? null, email: lead.email ?? null, phone: lead.phone ?? null, channel: lead.channel ?? 'website' };
				return { event: eventType ?? 'lead.submit', timestamp: timestamp ?? new Date().toISOString(), agent_id: chatbotId, data };
			}
			if (shape === 'api') return { eventType: eventType ?? 'lead.submit', agentId: chatbotId, payload: payload ?? customer(lead) };
			return { eventType: eventType ?? 'leads.submit', chatbotId, payload: payload ?? customer(lead) };
		},
		sign: (shape, raw, key, signature, hmac) => {
			if (signature === 'sha1' || (signature === 'default' && shape === 'apiLegacy')) return { 'x-chatzuri-signature': hmac('sha1', key, raw) };
			return { 'X-Chatzuri-Signature': `sha256=${hmac('sha256', key, raw, signature === 'base64' ? 'base64' : 'hex')}` };
		},
	},
	api: {
		error: (status, message) => ({ message }),
		unauthorized: () => 'Unauthorized',
		malformed: '{"data": [',
		routes: [
			{ pattern: /^\/get-leads$/, leads: true, handle: (ctx) => dayPagedLeads(ctx, leadsStyle) },
			{ pattern: /^\/get-conversations$/, handle: (ctx) => dayPagedConversations(ctx, 'agentId', reply, vendorError(ctx)) },
			{
				pattern: /^\/get-chatbots$/,
				handle: (ctx) =>
					reply(200, {
						chatbots: ctx.sim._botList('chatzuri').map((b) => ({ chatbot_id: b.id, chatbot_name: b.name })),
					}),
			},
		],
	},
};
