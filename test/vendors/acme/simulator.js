'use strict';

/**
 * The Acme Bots API as the simulator serves it: a vendor plug-in (see
 * ../../simulator/vendors/index.js for the interface). Page/size paging, whole-day from/to
 * filters, its own envelope ({ ok, contacts }) and error shape ({ ok: false, error: { message } }).
 */

const { decodedMatch } = require('../../simulator/util');
const { parseDayRange, parsePositiveInt } = require('../../simulator/time');
const { reply } = require('../../simulator/respond');
const { listPage } = require('../../simulator/paging');

const error = (status, message) => ({ ok: false, error: { message } });

function contacts(ctx, botId) {
	const { query, options } = ctx;
	const range = parseDayRange(query.from, query.to, ['from', 'to']);
	if (range.error) return reply(400, error(400, range.error));
	const page = parsePositiveInt(query.page, 1);
	const size = parsePositiveInt(query.per_page, options.defaultPageSize);
	if (Number.isNaN(page) || Number.isNaN(size)) return reply(400, error(400, 'Invalid page or per_page'));
	const bot = ctx.sim._bot('acme', botId);
	if (!bot) return reply(404, error(404, 'Bot not found'));
	const result = listPage(ctx, bot, { range, page, size: Math.min(size, options.maxPageSize) });
	const key = result.fault === 'shapeDrift' ? 'items' : 'contacts';
	return reply(200, { ok: true, [key]: result.rows, page, per_page: size });
}

/** @type {import('../../simulator/vendors').VendorPlugin} */
module.exports = {
	name: 'acme',
	prefix: '/acme/v2',
	defaults: { order: 'desc', maxPageSize: 50, defaultPageSize: 20, latencyMs: 0, clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	makeRecord: (spec, at, id) => ({
		contact_id: String(id),
		full_name: spec.name ?? null,
		email_address: spec.email ?? null,
		phone_number: spec.phone ?? null,
		captured_at: at.toISOString(),
		bot_id: spec.chatbotId ?? '',
		...(spec.fields && !Array.isArray(spec.fields) ? spec.fields : {}),
	}),
	newId: (n) => `c_${n}`,
	idField: 'contact_id',
	timeField: 'captured_at',
	botField: 'bot_id',
	requestedChatbot: (path) => decodedMatch(/^\/bots\/([^/]+)\/contacts$/, path),
	seed: { chatbotId: 'demo-acme-bot', name: 'Demo Acme Bot' },
	api: {
		error,
		unauthorized: () => 'Invalid API key',
		malformed: '{"ok": true, "contacts": [',
		routes: [
			{ pattern: /^\/bots\/([^/]+)\/contacts$/, leads: true, handle: contacts },
			{ pattern: /^\/bots$/, handle: (ctx) => reply(200, { ok: true, bots: ctx.sim._botList('acme').map((b) => ({ bot_id: b.id, title: b.name })) }) },
		],
	},
};
