'use strict';

/**
 * One HTTP request: admin routes, or a vendor API found by its mount prefix; then the request log,
 * the concurrency limit, latency, transport faults, the bearer key, and the plug-in's routes;
 * and the server's start and stop.
 */

const http = require('http');

const { VENDORS, PREFIXES, pluginOf } = require('./vendors');
const { send } = require('./respond');
const { TRANSPORT_FAULTS, applyTransportFault } = require('./faults');
const { parsePositiveInt } = require('./time');
const { handleAdmin } = require('./admin');

/** The page a request asks for, used by fault `match.page`. */
function requestedPage(plugin, query) {
	if (plugin.requestedPage) return plugin.requestedPage(query);
	const page = parsePositiveInt(query.page, 1);
	return Number.isNaN(page) ? undefined : page;
}

async function handleRequest(sim, req, res) {
	const url = new URL(req.url, 'http://simulator.local');
	const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
	const query = Object.fromEntries(url.searchParams);
	if (pathname.startsWith('/__admin/')) return handleAdmin(sim, req, res, pathname, query);

	const vendor = VENDORS.find((v) => pathname === PREFIXES[v] || pathname.startsWith(`${PREFIXES[v]}/`));
	if (!vendor) {
		return send({ sim, res }, 404, { message: `Not found. Vendor APIs live under ${Object.values(PREFIXES).join(', ')}` });
	}
	const plugin = pluginOf(vendor);
	const api = plugin.api;
	const path = pathname.slice(PREFIXES[vendor].length) || '/';
	const entry = { vendor, method: req.method, path, query, status: null, at: new Date().toISOString() };
	sim.requests.push(entry);
	// How many vendor requests were open at once: shows whether a client pages concurrently.
	sim.inFlight = (sim.inFlight ?? 0) + 1;
	sim.maxInFlight = Math.max(sim.maxInFlight ?? 0, sim.inFlight);
	sim._vendorInFlight[vendor] += 1;
	res.on('close', () => {
		sim.inFlight -= 1;
		sim._vendorInFlight[vendor] -= 1;
	});
	const ctx = { sim, vendor, plugin, api, req, res, path, query, entry, page: requestedPage(plugin, query) };

	// A server that limits concurrent requests per key: over the limit, an immediate 429.
	const { maxConcurrentRequests, retryAfterSeconds } = sim._options[vendor];
	if (maxConcurrentRequests > 0 && sim._vendorInFlight[vendor] > maxConcurrentRequests) {
		entry.fault = 'concurrencyLimit';
		const body = api.error(429, 'Too many requests');
		return send(ctx, 429, body, { 'Retry-After': String(retryAfterSeconds) });
	}

	const latency = sim._options[vendor].latencyMs;
	if (latency > 0) await sim._delay(latency);
	if (res.destroyed) return undefined;
	// Options as they are when the request is served (after the delay).
	ctx.options = { ...sim._options[vendor] };

	const transportFault = sim._takeFault(ctx, TRANSPORT_FAULTS);
	if (transportFault) return applyTransportFault(ctx, transportFault);

	const auth = req.headers.authorization;
	const presented = /^bearer\s+(.+)$/i.exec(auth || '');
	if (!presented || presented[1].trim() !== sim.keys[vendor]) {
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

// ─── The server ────────────────────────────────────────────────────────────────────────────

function isLoopback(host) {
	return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function internalError(res, err) {
	if (res.headersSent) return res.destroy();
	const body = JSON.stringify({ message: 'Simulator internal error', detail: String(err && err.stack) });
	res.writeHead(500, { 'content-type': 'application/json' });
	res.end(body);
}

/** Simulator.start: listens (loopback only) and resolves with the base url, e.g. http://127.0.0.1:5680. */
function listen(sim, port, host) {
	if (sim._server) return Promise.reject(new Error('Simulator already started'));
	if (!isLoopback(host)) return Promise.reject(new Error(`Refusing to listen on non-loopback host "${host}"`));
	const server = http.createServer((req, res) => {
		sim._handle(req, res).catch((err) => internalError(res, err));
	});
	server.on('connection', (socket) => {
		sim._sockets.add(socket);
		socket.on('close', () => sim._sockets.delete(socket));
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			const address = server.address();
			const shownHost = address.family === 'IPv6' || address.family === 6 ? `[${address.address}]` : address.address;
			sim._server = server;
			sim._url = `http://${shownHost}:${address.port}`;
			resolve(sim._url);
		});
	});
}

/** Simulator.stop: closes the server, destroying open sockets (hanging requests included). */
function close(sim) {
	const server = sim._server;
	if (!server) return Promise.resolve();
	sim._server = null;
	sim._url = null;
	for (const timer of sim._timers) clearTimeout(timer);
	sim._timers.clear();
	for (const socket of sim._sockets) socket.destroy();
	return new Promise((resolve) => server.close(() => resolve()));
}

module.exports = { handleRequest, listen, close };
