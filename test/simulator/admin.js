'use strict';

/** The admin API under /__admin/: lets another process (n8n e2e, the demo) drive the simulator. */

const { send } = require('./respond');

class AdminError extends Error {}

function readJsonBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('error', reject);
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8').trim();
			if (!text) return resolve({});
			try {
				resolve(JSON.parse(text));
			} catch {
				reject(new AdminError('Request body is not valid JSON'));
			}
		});
	});
}

/** Admin routes: `${method} ${path}` -> (sim, body, query) => JSON result. */
const ADMIN_ROUTES = {
	'GET /__admin/info': (sim) => ({ url: sim.url, baseUrls: sim.baseUrls, keys: sim.keys, webhookSecrets: sim.webhookSecrets }),
	'POST /__admin/reset': (sim) => (sim.reset(), { ok: true }),
	'POST /__admin/seed': (sim) => ({ ok: true, seed: sim.seed() }),
	'POST /__admin/chatbots': (sim, b) => ({ chatbot: sim.addChatbot(b.vendor, b.chatbotId, b) }),
	'POST /__admin/leads': (sim, b) => ({
		leads: sim.addLeads(b.vendor, b.chatbotId, b.leads || [], { projectId: b.projectId }),
	}),
	'GET /__admin/leads': (sim, b, q) => ({ leads: sim.leads(q.vendor, q.chatbotId) }),
	'POST /__admin/conversations': (sim, b) => ({
		conversation: sim.addConversation(b.vendor, b.chatbotId, b.conversation || {}, { projectId: b.projectId }),
	}),
	'POST /__admin/generate': (sim, b) => ({
		leads: sim.generateLeads(b.vendor, b.chatbotId, b.count, { start: b.start, stepMs: b.stepMs, projectId: b.projectId }),
	}),
	'POST /__admin/options': (sim, b) => ({ options: sim.setOptions(b.vendor, b.options || {}) }),
	'GET /__admin/options': (sim, b, q) => ({ options: sim.getOptions(q.vendor) }),
	'POST /__admin/faults': (sim, b) => (sim.injectFault(b.vendor, b.fault), { ok: true }),
	'DELETE /__admin/faults': (sim) => (sim.clearFaults(), { ok: true }),
	'GET /__admin/requests': (sim, b, q) => ({
		requests: q.vendor ? sim.requests.filter((r) => r.vendor === q.vendor) : sim.requests,
	}),
	'DELETE /__admin/requests': (sim) => (sim.clearRequests(), { ok: true }),
	'POST /__admin/webhooks': async (sim, b) => ({ webhook: await sim.sendWebhook(b) }),
	'POST /__admin/webhooks/redeliver': async (sim, b) => ({ webhook: await sim.redeliverWebhook(b.id, b) }),
	'GET /__admin/webhooks': (sim) => ({ webhooks: sim.webhooks }),
};

async function handleAdmin(sim, req, res, pathname, query) {
	const ctx = { sim, res, entry: null };
	const route = ADMIN_ROUTES[`${req.method} ${pathname}`];
	if (!route) return send(ctx, 404, { error: `No admin route ${req.method} ${pathname}` });
	try {
		const body = req.method === 'GET' ? {} : await readJsonBody(req);
		return send(ctx, 200, await route(sim, body, query));
	} catch (err) {
		return send(ctx, 400, { error: err instanceof Error ? err.message : String(err) });
	}
}

module.exports = { handleAdmin };
