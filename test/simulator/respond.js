'use strict';

/** Writing answers: every response goes through `send`, which logs its status. */

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
/** An error answer in the vendor's own error shape (`ctx.api` is the plug-in's `api`). */
const vendorError = (ctx) => (status, message) => reply(status, ctx.api.error(status, message));

module.exports = { send, reply, vendorError };
