'use strict';

/** Fault injection: the kinds, checking a fault, matching it to a request, acting out transport faults. */

const http = require('http');

const { send } = require('./respond');

/** Faults that act like infrastructure in front of the API: applied before auth and routing. */
const TRANSPORT_FAULTS = ['status', 'html', 'malformed', 'truncated', 'empty', 'hang', 'reset', 'echoAuth'];
/** Faults that change what the API itself answers: applied to lead-list requests only, after auth. */
const BEHAVIOUR_FAULTS = ['repeatToken', 'repeatPage', 'shapeDrift', 'endless'];

function htmlPage(status) {
	return `<html><body><h1>${status} ${http.STATUS_CODES[status] || 'Error'}</h1></body></html>`;
}

/** Acts out a transport-level fault; these bypass auth like a proxy or a crashing server would. */
function applyTransportFault(ctx, fault) {
	const { res, req, api } = ctx;
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
function normalizeFault(plugin, fault) {
	if (!fault || typeof fault !== 'object') throw new Error('fault must be an object');
	const kinds = [...TRANSPORT_FAULTS, ...BEHAVIOUR_FAULTS];
	if (!kinds.includes(fault.kind)) throw new Error(`Unknown fault kind "${fault.kind}" (expected one of ${kinds.join(', ')})`);
	if (fault.kind === 'status' && !Number.isInteger(fault.status)) throw new Error('status fault needs an integer status');
	if (fault.kind === 'repeatToken' && !plugin.tokenPaging) {
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

/** Whether a queued fault applies to this request (`ctx.plugin` says which chatbot it asks for). */
function faultMatches(fault, ctx) {
	const { path, page, chatbotId } = fault.match;
	if (path instanceof RegExp) {
		path.lastIndex = 0;
		if (!path.test(ctx.path)) return false;
	} else if (typeof path === 'string' && !ctx.path.includes(path)) {
		return false;
	}
	if (chatbotId !== undefined && ctx.plugin.requestedChatbot(ctx.path, ctx.query) !== chatbotId) return false;
	return page === undefined || page === ctx.page;
}

module.exports = { TRANSPORT_FAULTS, BEHAVIOUR_FAULTS, applyTransportFault, normalizeFault, faultMatches };
