'use strict';
/** Setting up the n8n home, the simulator and the workflows; starting and stopping n8n; logging in. */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { ECHO, MINUTE, HOUR, DAY, SINCE_LEADS, ROBOFY_PROJECT, WORKFLOWS, wf, workflowJson, state, iso, dayOf, addLeads, note, check, expect } = require('./common');

// ------------------------------------------------------------------------------ set-up

async function setUp() {
	await check(`pinned n8n ${n8n.paths().version} is installed (cache reused when present)`, async () => {
		n8n.ensureInstalled({ quiet: false });
	});
	n8n.assertInstalled();
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsTrigger', 'ChatbotLeadsTrigger.node.js')), 'dist/ is missing: run npm run build first');

	state.sim = await s.startSimulator();
	note(`simulator on ${state.sim.url}`);
	const t0 = Math.floor(Date.now() / MINUTE) * MINUTE; // whole minutes: Chatof.ai and Robofy write whole seconds
	state.t0 = t0;

	// a. the cursor's newest lead 74 h back (vendor time); 12 leads up to it.
	state.outageBase = t0 - 74 * HOUR;
	for (const w of [wf.outageChatbase, wf.outageChatof]) {
		await addLeads(w, w.bots[0], Array.from({ length: 12 }, (_, i) => state.outageBase - (11 - i) * 5 * MINUTE), { old: true });
	}
	// b. and e.: ordinary history over the last 100 minutes.
	await addLeads(wf.rename, wf.rename.bots[0], Array.from({ length: 10 }, (_, i) => t0 - 100 * MINUTE + i * 10 * MINUTE), { old: true });
	for (const chatbotId of wf.late.bots) {
		await state.sim.admin('POST', '/chatbots', { vendor: 'chatzuri', chatbotId, name: `Agent ${chatbotId}` });
		await addLeads(wf.late, chatbotId, Array.from({ length: 10 }, (_, i) => t0 - 100 * MINUTE + i * 10 * MINUTE), { old: true });
	}
	// d. three Robofy agents in one project.
	for (const chatbotId of wf.forbidden.bots) {
		await state.sim.admin('POST', '/chatbots', { vendor: 'robofy', chatbotId, name: `Agent ${chatbotId}`, projectId: ROBOFY_PROJECT });
		await addLeads(wf.forbidden, chatbotId, Array.from({ length: 5 }, (_, i) => t0 - 50 * MINUTE + i * 10 * MINUTE), { old: true });
	}
	// c. the date five days back; 20 leads well before it, 300 from the day after it until now.
	state.sinceDay = dayOf(t0 - 5 * DAY);
	const sinceMs = Date.parse(`${state.sinceDay}T00:00:00.000Z`);
	const first = sinceMs + DAY;
	const last = t0 - 30 * MINUTE;
	for (const w of [wf.sinceChatbase, wf.sinceChatof]) {
		await addLeads(w, w.bots[0], Array.from({ length: 20 }, (_, i) => sinceMs - 3 * DAY + i * HOUR), { old: true });
		const times = Array.from({ length: SINCE_LEADS }, (_, i) => Math.round(first + ((last - first) * i) / (SINCE_LEADS - 1)));
		await addLeads(w, w.bots[0], times, { phase: 'since the date' });
	}
	note(`First Poll date ${state.sinceDay}: ${SINCE_LEADS} leads from ${iso(first)} to ${iso(last)}`);

	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-ops-pack-'));
	state.home = n8n.createN8nHome('chatbot-leads-e2e-ops-');
	note(`n8n home ${state.home}`);
	const tgz = await n8n.packPackage(s.REPO, state.tmp);
	await n8n.installPackedPackage(state.home, tgz);
	await n8n.importCredentials(state.home, s.simulatorCredentials(state.sim));
	await n8n.importWorkflow(state.home, WORKFLOWS.map((w) => workflowJson(w, state.sinceDay)));
	for (const w of WORKFLOWS) await n8n.publishWorkflow(state.home, w.id);
}

async function startServer() {
	state.server = await n8n.startN8n(state.home, { echo: ECHO });
	state.readyAt = Date.now();
	note(`n8n start: ready in ${state.server.startupMs} ms`);
}

async function stopServer() {
	if (!state.server) return;
	const server = state.server;
	state.server = null;
	await server.stop();
}

async function logIn() {
	state.rest = new s.N8nRestClient(state.server.url);
	const email = 'e2e-ops-owner@example.com';
	const password = `E2e-${crypto.randomBytes(8).toString('hex')}`;
	await state.rest.setupOwner({ email, password });
	state.rest.cookie = '';
	await state.rest.login(email, password);
	expect(state.rest.cookie, 'no auth cookie after login');
}

module.exports = { setUp, startServer, stopServer, logIn };
