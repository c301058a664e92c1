'use strict';

// ─── Vendor: Chatof.ai ─────────────────────────────────────────────────────────────────────
// GET /chatbot/{bot_uid}/leads?start_date=&end_date=&page=&page_size=
//   -> 200 { code: 0, data: { leads, page, page_size, total }, msg: "Success.", request_id }
// Application errors come back as HTTP 200 with code != 0 (10001 bad parameter, 10004 bot
// not found); transport-level errors (401, 404 route, 5xx) use HTTP status with { code, msg }.

const crypto = require('crypto');

const { deterministicUuid, decodedMatch } = require('../util');
const { isoSeconds, parseDayRange, parsePositiveInt } = require('../time');
const { reply } = require('../respond');
const { listPage } = require('../paging');

/** Seconds precision with an explicit offset, as in the docs' example. */
const formatTime = (date) => `${isoSeconds(date)}+00:00`;

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

/** @type {import('./index').VendorPlugin} */
module.exports = {
	name: 'chatofAi',
	prefix: '/chatof/api/v1/backend',
	// `total: 'all'` follows the docs literally ("total number of leads for this chatbot"),
	// i.e. it ignores the date filter; 'filtered' counts only the matching leads.
	defaults: { order: 'desc', maxPageSize: 100, latencyMs: 0, defaultPageSize: 10, total: 'all', clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1, authErrorCode: 0 },
	formatTime,
	// No id field at all: a client has to derive identity (e.g. conversation_uid + created_at).
	makeRecord: (spec, at, id) => ({
		bot_uid: spec.chatbotId ?? '',
		conversation_uid: id,
		created_at: formatTime(at),
		email: spec.email ?? null,
		name: spec.name ?? null,
		phone: spec.phone ?? null,
		remark: spec.remark ?? null,
	}),
	// A conversation uuid plays the id's role.
	newId: (n) => deterministicUuid(`chatofAi-conversation-${n}`),
	givenId: (spec) => spec.conversationId ?? spec.id,
	idField: 'conversation_uid',
	botField: 'bot_uid',
	requestedChatbot: (path) => decodedMatch(/^\/chatbot\/([^/]+)\/leads$/, path),
	seed: { chatbotId: 'demo-chatof-bot', name: 'Demo Chatof Bot' },
	api: {
		error: (status, message) => ({ code: status, msg: message }),
		unauthorized: () => 'Unauthorized',
		malformed: '{"code": 0, "data": {"leads": [',
		routes: [{ pattern: /^\/chatbot\/([^/]+)\/leads$/, leads: true, handle: chatofLeads }],
	},
};
