'use strict';

/**
 * The simulator's vendors, as plug-ins: one file per vendor API, registered here. The core
 * (simulator.js, handle.js) knows no vendor by name; everything that differs lives in a plug-in.
 *
 * A plug-in (see `VendorPlugin` in ../index.d.ts) is a plain object:
 *
 *   name           the vendor key, which is also the product's provider name ('chatbase')
 *   prefix         where its API is mounted: `${sim.url}${prefix}` is the credential base URL
 *   defaults       its options and their default values (DEFAULT_OPTIONS[name]); every key must
 *                  have a check in options.js, or in the plug-in's own `optionChecks`
 *   makeRecord(spec, at, id, options)  one lead in the vendor's wire shape (`at`: the written time)
 *   newId(n)       the n-th generated id; idField: the record's id field; botField: the field
 *                  naming its chatbot (null: none)
 *   requestedChatbot(path, query)     the chatbot a lead-list request asks for (fault `match.chatbotId`)
 *   api            { error(status, message, detail?), unauthorized(hasKey), unauthorizedDetail?,
 *                    malformed (a cut-off success body), routes: [{ pattern, leads?, handle(ctx, ...groups) }] }
 *                  handlers return reply(status, body, headers?) (respond.js); `ctx` has sim, vendor,
 *                  api, plugin, req, path, query, options, entry, page
 *   optional:      timeField (the record's time field, default created_at), formatTime(date, ...), givenId(spec), looksLikeSpec(item), projects (chatbots
 *                  belong to numeric projects), tokenPaging (repeatToken faults), requestedPage(query),
 *                  seed: { chatbotId, name, projectId?, projectName?, fields? }, optionChecks:
 *                  { option: (value) => true | 'must be ...' }, conversationIdPrefix (default conv_),
 *                  webhook: { secret, defaultShape, shapes, event(shape, { chatbotId, lead,
 *                  eventType, timestamp, payload }, customerPayload), sign(shape, raw, key,
 *                  signature, hmac) } for a vendor that sends lead webhooks (webhooks.js)
 *
 * Built-in plug-ins are listed below; a test adds one with `registerVendor(plugin)` (or
 * `createSimulator({ plugins: [plugin] })`) before it creates a simulator.
 * test/vendors/acme/simulator.js is the smallest complete example.
 */

const BUILT_IN = [require('./chatbase'), require('./chatzuri'), require('./chatofAi'), require('./robofy')];

/** Vendor keys, in registration order (the same array grows when a plug-in registers). */
const VENDORS = [];
/** Where each vendor is mounted; `${url}${PREFIXES[v]}` is the credential base URL. */
const PREFIXES = {};
const DEFAULT_OPTIONS = {};
/** The demo data: start, step and count, then each vendor's chatbot id (and `<vendor>ProjectId`). */
const SEED = { start: '2026-10-01T08:00:00.000Z', stepMs: 37 * 60 * 1000, count: 25 };
const PLUGINS = new Map();

const REQUIRED = ['name', 'prefix', 'defaults', 'makeRecord', 'newId', 'idField', 'requestedChatbot', 'api'];

/** Adds a vendor plug-in; registering the same plug-in again does nothing. Returns the vendor key. */
function registerVendor(plugin) {
	const missing = REQUIRED.filter((key) => !plugin || plugin[key] === undefined);
	if (missing.length > 0) throw new Error(`A vendor plug-in needs ${missing.join(', ')}`);
	const known = PLUGINS.get(plugin.name);
	if (known === plugin) return plugin.name;
	if (known) throw new Error(`Vendor "${plugin.name}" is already registered`);
	const clash = [...PLUGINS.values()].find((other) => other.prefix === plugin.prefix);
	if (clash) throw new Error(`Prefix ${plugin.prefix} is already ${clash.name}'s`);
	PLUGINS.set(plugin.name, plugin);
	VENDORS.push(plugin.name);
	PREFIXES[plugin.name] = plugin.prefix;
	DEFAULT_OPTIONS[plugin.name] = { ...plugin.defaults };
	if (plugin.seed) {
		SEED[plugin.name] = plugin.seed.chatbotId;
		if (plugin.seed.projectId !== undefined) SEED[`${plugin.name}ProjectId`] = plugin.seed.projectId;
	}
	return plugin.name;
}

for (const plugin of BUILT_IN) registerVendor(plugin);

function assertVendor(vendor) {
	if (!VENDORS.includes(vendor)) {
		throw new Error(`Unknown vendor "${vendor}" (expected one of ${VENDORS.join(', ')})`);
	}
}

/** A registered vendor's plug-in (throws for an unknown vendor). */
function pluginOf(vendor) {
	assertVendor(vendor);
	return PLUGINS.get(vendor);
}

function perVendor(make) {
	return Object.fromEntries(VENDORS.map((v) => [v, make(v)]));
}

/**
 * The chatbot a lead-list request asks for (Chatbase `chatbotId`, Chatzuri `agentId`, Chatof.ai and
 * Robofy in the path); undefined for other requests, such as the chatbot lists.
 */
function requestedChatbot(vendor, path, query) {
	const plugin = PLUGINS.get(vendor);
	return plugin ? plugin.requestedChatbot(path, query) : undefined;
}

/** Whether a request (path below the vendor's prefix) is for a lead list: a plug-in route marked `leads`. */
function isLeadRequest(vendor, path) {
	const plugin = PLUGINS.get(vendor);
	return Boolean(plugin && plugin.api.routes.some((route) => route.leads && route.pattern.test(path)));
}

module.exports = { isLeadRequest, BUILT_IN, VENDORS, PREFIXES, DEFAULT_OPTIONS, SEED, registerVendor, assertVendor, pluginOf, perVendor, requestedChatbot };
