'use strict';

/**
 * The vendors' "lead submitted" webhooks, as the simulator sends them (see README.md, Webhooks).
 * Shapes and signatures follow ../shared/vendor-apis/VENDOR-NOTES.md (section Webhooks):
 *
 * - chatbase `api`: { eventType: 'leads.submit', chatbotId, payload: { conversationId,
 *   customerEmail, customerName, customerPhone } }, header x-chatbase-signature = hex HMAC-SHA1.
 * - chatzuri `guide` (developer guide): { event: 'lead.submit', timestamp, agent_id, data: { name,
 *   email, phone, channel } }; `api` (API page): { eventType: 'lead.submit', agentId, payload: {
 *   customer… } }; both signed X-Chatzuri-Signature: sha256=<HMAC-SHA256, hex or base64>.
 *   `apiLegacy` (older API page): { eventType: 'leads.submit', chatbotId, payload }, signed with
 *   a bare hex HMAC-SHA1 in x-chatzuri-signature. Chatzuri signs only when a secret is set.
 *
 * Plain Node.js, no dependencies.
 */

const crypto = require('crypto');
const http = require('http');

const { clone } = require('./util');
const { VENDORS, pluginOf } = require('./vendors');

const SIGNATURES = ['default', 'hex', 'base64', 'sha1', 'none', 'wrong', 'tampered'];

/** The vendor plug-in's webhook (shapes, event builder, signer), or an error naming the vendors that have one. */
function webhookOf(vendor) {
	const webhook = VENDORS.includes(vendor) ? pluginOf(vendor).webhook : undefined;
	if (!webhook || !webhook.event) {
		const senders = VENDORS.filter((name) => pluginOf(name).webhook && pluginOf(name).webhook.event);
		throw new Error(`Only ${senders.join(' and ')} send lead webhooks (got "${vendor}")`);
	}
	return webhook;
}

function assertWebhookVendor(vendor, shape) {
	const { shapes } = webhookOf(vendor);
	if (!shapes.includes(shape)) throw new Error(`Unknown ${vendor} webhook shape "${shape}" (expected one of ${shapes.join(', ')})`);
}

/** The customer fields both API pages use. */
function customerPayload(lead) {
	return {
		conversationId: lead.conversationId ?? `conv_${crypto.randomUUID()}`,
		customerEmail: lead.email ?? null,
		customerName: lead.name ?? null,
		customerPhone: lead.phone ?? null,
	};
}

/** The JSON object a vendor POSTs. `payload` replaces the lead's fields (for other event types). */
function webhookEvent(vendor, shape, { chatbotId, lead = {}, eventType, timestamp, payload }) {
	assertWebhookVendor(vendor, shape);
	return webhookOf(vendor).event(shape, { chatbotId, lead, eventType, timestamp, payload }, customerPayload);
}

function hmac(algorithm, secret, raw, encoding = 'hex') {
	return crypto.createHmac(algorithm, secret).update(raw).digest(encoding);
}

/**
 * The signature header for `raw` (a Buffer). `signature`: 'default' (what the vendor sends for
 * this shape), 'hex' / 'base64' (Chatzuri sha256 in that encoding), 'sha1' (the older SHA-1
 * form), 'none', 'wrong' (signed with another secret), 'tampered' (set by the caller after
 * changing a byte). No secret: no header (Chatzuri signs only when one is set).
 */
function signatureHeaders(vendor, shape, raw, secret, signature = 'default') {
	if (!SIGNATURES.includes(signature)) throw new Error(`Unknown signature "${signature}" (expected one of ${SIGNATURES.join(', ')})`);
	if (!secret || signature === 'none') return {};
	const key = signature === 'wrong' ? `${secret}-but-not-this-one` : secret;
	return webhookOf(vendor).sign(shape, raw, key, signature, hmac);
}

/** Only loopback targets: the simulator never sends anything off this machine. */
function assertLoopbackUrl(url) {
	const { hostname, protocol } = new URL(url);
	if (protocol !== 'http:') throw new Error(`webhook url must be http:// (got ${protocol})`);
	if (!['localhost', '127.0.0.1', '[::1]', '::1'].includes(hostname) && !/^127\.\d+\.\d+\.\d+$/.test(hostname)) {
		throw new Error(`webhook url must point at a loopback host (got ${hostname})`);
	}
}

/** One POST of exactly `raw` with `headers`. Resolves { status, body, sentAt, ms } (status 0: no answer). */
function post(url, raw, headers, timeoutMs = 30000) {
	return new Promise((resolve) => {
		const sentAt = Date.now();
		const done = (status, body) => resolve({ status, body, sentAt, ms: Date.now() - sentAt });
		const req = http.request(url, { method: 'POST', timeout: timeoutMs, headers: { ...headers, 'content-length': raw.length } }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk) => (text += chunk));
			res.on('end', () => {
				let body = text;
				try {
					body = text ? JSON.parse(text) : null;
				} catch {
					/* not JSON */
				}
				done(res.statusCode, body);
			});
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', (error) => done(0, { error: error.message }));
		req.end(raw);
	});
}

/** Sends `copies` deliveries of the same bytes, one after another or all at once. */
async function deliverCopies(url, raw, headers, { copies = 1, concurrent = false } = {}) {
	if (!Number.isInteger(copies) || copies < 1) throw new Error('copies must be a positive integer');
	if (concurrent) return Promise.all(Array.from({ length: copies }, () => post(url, raw, headers)));
	const deliveries = [];
	for (let i = 0; i < copies; i++) deliveries.push(await post(url, raw, headers));
	return deliveries;
}

// ─── What Simulator.sendWebhook and redeliverWebhook do ────────────────────────────────────

/** Simulator.sendWebhook: sends, logs in sim.webhooks, stores a lead event's lead. */
async function sendWebhook(sim, options = {}) {
	const { vendor, url, chatbotId, lead, eventType, timestamp, payload, body, projectId } = options;
	const plugin = VENDORS.includes(vendor) ? pluginOf(vendor) : undefined;
	const shape = options.shape ?? ((plugin && plugin.webhook && plugin.webhook.defaultShape) || 'guide');
	const secret = options.secret === undefined ? sim.webhookSecrets[vendor] : options.secret;
	assertLoopbackUrl(url);
	// One capture instant for the event's timestamp (Chatzuri's guide shape) and the stored lead.
	const capturedAt = new Date(lead && lead.createdAt !== undefined ? lead.createdAt : Date.now()).toISOString();
	const event = body === undefined ? webhookEvent(vendor, shape, { chatbotId, lead, eventType, timestamp: timestamp ?? capturedAt, payload }) : undefined;
	if (body !== undefined) webhookOf(vendor);
	let raw = Buffer.from(body ?? JSON.stringify(event, null, options.pretty ? 2 : undefined), 'utf8');
	const headers = {
		'content-type': options.contentType ?? 'application/json',
		'user-agent': `${vendor}-webhooks (n8n-nodes-chatbot-leads simulator)`,
		...signatureHeaders(vendor, shape, raw, secret, options.signature),
	};
	// Signed first, then one byte more: the JSON still means the same, but it is not what was signed.
	if (options.signature === 'tampered') raw = Buffer.concat([raw, Buffer.from(' ')]);
	const isLead = event && /^leads?\.submit$/.test(event.eventType ?? event.event) && payload === undefined;
	const stored = isLead && lead && options.store !== false ? sim.addLeads(vendor, chatbotId, [{ ...lead, createdAt: capturedAt }], { projectId })[0] : undefined;
	const entry = { id: `wh_${sim.webhooks.length + 1}`, vendor, shape, url, body: raw.toString('utf8'), headers, event, stored, deliveries: [] };
	sim.webhooks.push(entry);
	entry.deliveries.push(...(await deliverCopies(url, raw, headers, options)));
	return clone(entry);
}

/** Simulator.redeliverWebhook: a logged webhook again, byte for byte, with the same headers. */
async function redeliverWebhook(sim, id, options = {}) {
	const entry = sim.webhooks.find((webhook) => webhook.id === id);
	if (!entry) throw new Error(`No webhook ${id} was sent`);
	const deliveries = await deliverCopies(entry.url, Buffer.from(entry.body, 'utf8'), entry.headers, options);
	entry.deliveries.push(...deliveries);
	return { ...clone(entry), deliveries };
}

module.exports = { SIGNATURES, webhookEvent, signatureHeaders, assertLoopbackUrl, deliverCopies, sendWebhook, redeliverWebhook };
