'use strict';
/**
 * Conversations, as VENDOR-NOTES.md "Conversations" describes them: Chatbase v1 and Chatzuri
 * `GET /get-conversations` (a chatbot's conversations of whole days, page/size, `{ data: [...] }`,
 * no filter by id), and Robofy's session chats `GET /ai-agent/inbox/chats/{chatbotId}/{sessionId}`
 * (shape not published: `{ message, data: { session_id, created_at, messages } }` here).
 * Chatof.ai has no conversation endpoint.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
let counter = 0;

/** How a vendor's generated conversation ids begin (Robofy: a session id): its plug-in's `conversationIdPrefix`, else conv_. */
function conversationIdPrefix(vendor) {
	// Required here, not at the top: the vendor plug-ins require this file.
	const { pluginOf } = require('./vendors');
	return pluginOf(vendor).conversationIdPrefix ?? 'conv_';
}

/** One stored conversation in the Chatbase v1 shape (Robofy's answer is built from it). */
function makeConversation(vendor, chatbotId, spec = {}) {
	counter += 1;
	const at = spec.createdAt === undefined ? new Date() : new Date(spec.createdAt);
	const id = spec.id ?? `${conversationIdPrefix(vendor)}${counter}`;
	const messages = (spec.messages ?? [
		{ role: 'user', content: 'Hi, do you ship to Berlin?' },
		{ role: 'assistant', content: 'Yes. May I have your email?' },
	]).map((message, index) => ({
		role: message.role,
		content: message.content,
		created_at: new Date(at.getTime() + index * 1000).toISOString(),
	}));
	return { id: String(id), created_at: at.toISOString(), messages, chatbot_id: chatbotId, customer: spec.customer ?? null, source: spec.source ?? 'Widget or Iframe' };
}

function dayOf(text) {
	return /^\d{4}-\d{2}-\d{2}$/.test(text || '') ? Date.parse(`${text}T00:00:00Z`) : NaN;
}

/** `GET /get-conversations?{idParam}=&startDate=&endDate=&page=&size=` for Chatbase and Chatzuri. */
function dayPagedConversations(ctx, idParam, reply, error) {
	const { query } = ctx;
	const bot = ctx.sim._bot(ctx.vendor, query[idParam] || '');
	if (!query[idParam]) return error(400, `${idParam} is required`);
	if (!bot) return error(404, 'Chatbot not found');
	const from = query.startDate === undefined ? -Infinity : dayOf(query.startDate);
	const to = query.endDate === undefined ? Infinity : dayOf(query.endDate) + DAY_MS;
	if (Number.isNaN(from) || Number.isNaN(to)) return error(400, 'Invalid startDate or endDate');
	const page = Number(query.page || 1);
	const size = Math.min(Number(query.size || 10), 100);
	if (!(page >= 1 && size >= 1)) return error(400, 'Invalid page or size');
	const inRange = (bot.conversations || []).filter((c) => Date.parse(c.created_at) >= from && Date.parse(c.created_at) < to);
	const newestFirst = [...inRange].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
	return reply(200, { data: newestFirst.slice((page - 1) * size, page * size) });
}

/** Robofy: one session's chats; 404 when the agent has no such session. */
function robofySessionChats(ctx, chatbotId, sessionId, reply, error) {
	const bot = ctx.sim._bot('robofy', decodeURIComponent(chatbotId));
	const conversation = bot && (bot.conversations || []).find((c) => c.id === decodeURIComponent(sessionId));
	if (!conversation) return error(404, 'Session not found');
	return reply(200, {
		message: 'Chats retrieved successfully.',
		data: { session_id: conversation.id, created_at: conversation.created_at, source: conversation.source, messages: conversation.messages },
	});
}

module.exports = { makeConversation, dayPagedConversations, robofySessionChats };
