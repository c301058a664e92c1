'use strict';

/**
 * Local simulator of the vendors' lead APIs (Chatbase, Chatzuri, Chatof.ai, Robofy, and any
 * vendor plug-in a test registers).
 *
 * One HTTP server, one port, each vendor mounted under its own prefix. It follows the vendors'
 * published pages plus the quirks in ../shared/vendor-apis/VENDOR-NOTES.md, and adds fault
 * injection and an admin API (under /__admin/) so tests in another process can drive it.
 *
 * This file is the state (chatbots, leads, options, faults) and the server's life; each vendor's
 * API is a plug-in in vendors/ (see vendors/index.js), requests are served by handle.js.
 * Plain Node.js, no dependencies. See README.md beside this file for the API.
 */

const { VENDORS, PREFIXES, DEFAULT_OPTIONS, SEED, registerVendor, assertVendor, pluginOf, perVendor, requestedChatbot, isLeadRequest } = require('./vendors');
const { encodeToken, decodeToken } = require('./vendors/robofy');
const { clone, person } = require('./util');
const { toDate } = require('./time');
const { STORED_TIMES, recordTime } = require('./paging');
const { normalizeFault, faultMatches } = require('./faults');
const { checkedOptions, normalizeCreateOptions } = require('./options');
const { makeConversation } = require('./conversations');
const { sendWebhook, redeliverWebhook } = require('./webhooks');
const { handleRequest, listen, close } = require('./handle');

const SPEC_ONLY_KEYS = ['createdAt', 'createdAtText', 'conversationId', 'sessionId', 'fields', 'pageUrl', 'ipAddress', 'ownerUserId', 'accountId'];

/** addLeads takes wire records or makeLead specs; this tells which one it was given. */
function looksLikeSpec(plugin, item) {
	if (SPEC_ONLY_KEYS.some((k) => k in item)) return true;
	return Boolean(plugin.looksLikeSpec && plugin.looksLikeSpec(item));
}

class Simulator {
	constructor(options = {}) {
		// Extra vendor plug-ins (see vendors/index.js); registered for every simulator from now on.
		for (const plugin of options.plugins || []) registerVendor(plugin);
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
		return listen(this, port, host);
	}

	/** Closes the server, destroying open sockets (hanging requests included). */
	stop() {
		return close(this);
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
		if (pluginOf(vendor).projects) {
			if (projectId === undefined && existing) projectId = existing.projectId;
			if (!Number.isInteger(projectId)) throw new Error(`${vendor} chatbots need an integer projectId`);
			if (existing && existing.projectId !== projectId) {
				throw new Error(`${vendor} chatbot ${chatbotId} belongs to project ${existing.projectId}`);
			}
			this.addProject(projectId);
		}
		if (existing) {
			if (name) existing.name = name;
			return { id: existing.id, name: existing.name, projectId: existing.projectId };
		}
		const bot = { id: chatbotId, name: name || `Chatbot ${chatbotId}`, projectId: pluginOf(vendor).projects ? projectId : undefined, leads: [] };
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
		const plugin = pluginOf(vendor);
		const at = spec.createdAt === undefined ? new Date() : toDate(spec.createdAt);
		// Chatof.ai has no id; its conversation_uid plays that role here (the plug-in's givenId).
		const given = plugin.givenId ? plugin.givenId(spec) : spec.id;
		const id = this._takeId(vendor, given);
		// The vendor writes the capture instant by its own clock (a skewed clock, or a zone-less
		// local time that is not UTC); its date filters and ordering then use those written times.
		const written = new Date(at.getTime() + this._options[vendor].clockOffsetMinutes * 60000);
		const record = plugin.makeRecord(spec, written, id, this._options[vendor]);
		// A time the wire does not carry readably; the server still sorts and filters by `written`.
		if (spec.createdAtText !== undefined) {
			record[plugin.timeField || 'created_at'] = spec.createdAtText;
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
		const { timeField } = pluginOf(vendor);
		for (const record of stored) if (Number.isNaN(recordTime(record, timeField))) STORED_TIMES.set(record, Date.now());
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

	/** Demo data: 25 leads per vendor (each plug-in's `seed`), deterministic names and timestamps. */
	seed() {
		const common = { start: SEED.start, stepMs: SEED.stepMs };
		const info = {};
		for (const plugin of VENDORS.map(pluginOf).filter((p) => p.seed)) {
			const { chatbotId, name, projectId, projectName, fields } = plugin.seed;
			if (projectId !== undefined) this.addProject(projectId, projectName);
			this.addChatbot(plugin.name, chatbotId, projectId === undefined ? { name } : { name, projectId });
			this.generateLeads(plugin.name, chatbotId, SEED.count, fields ? { ...common, fields } : common);
			info[plugin.name] = projectId === undefined ? { chatbotId } : { projectId, chatbotId };
		}
		return info;
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
		this._faults[vendor].push(normalizeFault(pluginOf(vendor), fault));
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
	sendWebhook(options = {}) {
		return sendWebhook(this, options);
	}

	/** Sends a logged webhook again, byte for byte, with the same headers (a vendor's retry). */
	redeliverWebhook(id, options = {}) {
		return redeliverWebhook(this, id, options);
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
			id = pluginOf(vendor).newId(this._counters[vendor]);
		} while (this._usedIds[vendor].has(String(id)));
		this._usedIds[vendor].add(String(id));
		return id;
	}

	_completeRecord(vendor, chatbotId, item) {
		const plugin = pluginOf(vendor);
		let record;
		if (looksLikeSpec(plugin, item)) {
			record = this.makeLead(vendor, { ...item, chatbotId });
		} else {
			const given = item[plugin.idField];
			const time = item[plugin.timeField || 'created_at'];
			const createdAt = time === undefined ? undefined : toDate(time, 'created_at');
			const defaults = this.makeLead(vendor, { id: given, createdAt, chatbotId });
			record = { ...defaults, ...clone(item) };
		}
		if (plugin.botField) record[plugin.botField] = chatbotId;
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

	_handle(req, res) {
		return handleRequest(this, req, res);
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
	registerVendor,
	VENDORS,
	PREFIXES,
	DEFAULT_OPTIONS,
	SEED,
	encodeToken,
	decodeToken,
	requestedChatbot,
	isLeadRequest,
};
