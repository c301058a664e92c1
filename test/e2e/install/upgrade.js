'use strict';
// The upgrade part of test/e2e/install.js (see its header).
const crypto = require('crypto');
const path = require('path');
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { CURRENT, INSTANT_NAME, NODES_NEW, NODES_OLD, OLD_VERSION, WATCHED, addLeads, bodyData, check, createActiveWorkflow, createCredential, credentialRefOf, cursorVersion, emittedLeads, expect, expectTypes, isActive, knownTypes, leadCursorOf, note, ownerClient, startServer, state, stopServer, testCredential, triggerWorkflow, waitForEmails, waitForWebhook } = require('./common');

// ------------------------------------------------------------------------------ upgrade part

async function upgradePart() {
	const tag = '[upgrade]';
	const sim = await s.startSimulator();
	state.sims = [...(state.sims || []), sim];
	const home = n8n.createN8nHome('chatbot-leads-e2e-install-', {
		env: {
			E2E_TESTS: 'true',
			N8N_COMMUNITY_PACKAGES_REGISTRY: state.verdaccio.url,
			npm_config_cache: path.join(state.tmp, 'npm-cache-upgrade'),
		},
	});
	state.homes.push(home);
	const password = `Install-${crypto.randomBytes(8).toString('hex')}`;
	let server = await startServer(home, {}, 'upgrade');
	note(`${tag} n8n ${n8n.homeConfig(home).version} at ${server.url} (registry ${state.verdaccio.url}), ready in ${server.startupMs} ms`);
	const rest = await ownerClient(server, { password });

	const installed = await check(`${tag} POST /rest/community-packages installs ${s.PACKAGE}@${OLD_VERSION} by name from the registry; its 2 nodes and 4 credentials appear`, async () => {
		const started = Date.now();
		const res = await rest.request('POST', '/community-packages', { name: s.PACKAGE, version: OLD_VERSION }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
		const pkg = bodyData(res);
		expect(pkg.installedVersion === OLD_VERSION, `installedVersion ${pkg.installedVersion}`);
		note(`${tag} install of ${OLD_VERSION}: ${Date.now() - started} ms, nodes ${pkg.installedNodes.map((x) => x.type).join(', ')}`);
		await expectTypes(server, rest, NODES_OLD, { absent: [s.INSTANT_TYPE] });
		return true;
	});
	if (!installed) return;

	// Credentials as a user makes them (REST, as the dialog saves), pointing at the simulator.
	const credentials = {};
	await check(`${tag} the four credentials are created and their tests pass (${OLD_VERSION})`, async () => {
		for (const { vendor, label, credentialType } of s.VENDORS) {
			credentials[vendor] = await createCredential(rest, { name: `${label} account`, type: credentialType, data: { apiKey: sim.keys[vendor], baseUrl: sim.baseUrls[vendor] } });
			await testCredential(rest, credentials[vendor]);
		}
	});

	const log = []; // every lead added: { row, phase, email }
	const preActivation = new Set();
	for (const row of WATCHED) {
		const res = await sim.admin('POST', '/generate', { vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, count: 10, start: new Date(Date.now() - 60 * 60 * 1000).toISOString(), stepMs: 5 * 60 * 1000 });
		for (const lead of res.body.leads) preActivation.add(lead.email || JSON.stringify(lead));
	}
	const workflows = {};
	const active = await check(`${tag} two Chatbot Leads Trigger workflows (Chatbase, Robofy) are created and activated on ${OLD_VERSION}; new leads are emitted`, async () => {
		for (const row of WATCHED) workflows[row.key] = await createActiveWorkflow(rest, triggerWorkflow(row, credentials[row.vendor]));
		await s.sleep(5000); // the activation polls
		const emails = [];
		for (const row of WATCHED) emails.push([row, await addLeads(sim, row, 'v010', 2, log)]);
		for (const [row, list] of emails) await waitForEmails(home, workflows[row.key], list);
		return true;
	});
	if (!active) return;

	const oldCursors = {};
	await check(`${tag} ${OLD_VERSION} saved its cursor (v1) in the workflows' static data`, async () => {
		for (const row of WATCHED) {
			const cursor = leadCursorOf(await n8n.readStaticData(home, workflows[row.key]));
			expect(cursor, `${row.label}: no leadCursor`);
			oldCursors[row.key] = cursorVersion(cursor);
			expect(oldCursors[row.key] === 1, `${row.label}: cursor version ${oldCursors[row.key]}`);
		}
	});

	// The update, with leads captured before, during and after it.
	let updateMs = 0;
	const updated = await check(`${tag} PATCH /rest/community-packages (Update) moves ${OLD_VERSION} to ${CURRENT.version} while leads arrive before, during and after it`, async () => {
		for (const row of WATCHED) await addLeads(sim, row, 'before', 2, log);
		const started = Date.now();
		let settled = false;
		const patch = rest.request('PATCH', '/community-packages', { name: s.PACKAGE }, { allowError: true }).finally(() => (settled = true));
		await s.sleep(300);
		const duringWhilePending = !settled;
		for (const row of WATCHED) await addLeads(sim, row, 'during', 2, log);
		const res = await patch;
		updateMs = Date.now() - started;
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
		expect(bodyData(res).installedVersion === CURRENT.version, `installedVersion ${bodyData(res).installedVersion}`);
		note(`${tag} the update took ${updateMs} ms; the "during" leads were added ${duringWhilePending ? 'while it was in flight' : 'after it had already answered'}`);
		for (const row of WATCHED) await addLeads(sim, row, 'after', 2, log);
		return true;
	});
	if (!updated) return;

	await check(`${tag} after the update: 3 nodes and 5 credentials (the webhook-only one new) appear, GET /rest/community-packages says ${CURRENT.version}`, async () => {
		await expectTypes(server, rest, NODES_NEW);
		// n8n runs `npm outdated` (public registry) for this list: n8n 2.0.3 took over 30 s here.
		const started = Date.now();
		const listed = await s.httpJson('GET', `${server.url}/rest/community-packages`, { headers: { cookie: rest.cookie, 'browser-id': rest.browserId }, timeoutMs: 180000 });
		note(`${tag} GET /rest/community-packages answered in ${Date.now() - started} ms`);
		const list = bodyData(listed);
		const ours = list.find((p) => p.packageName === s.PACKAGE);
		expect(ours && ours.installedVersion === CURRENT.version, `listed: ${JSON.stringify(list).slice(0, 300)}`);
	});
	await check(`${tag} after the update, with no edits: the workflows are still active and the ${OLD_VERSION} credentials still test OK`, async () => {
		for (const row of WATCHED) expect(await isActive(rest, workflows[row.key]), `${row.label} workflow is not active`);
		for (const credential of Object.values(credentials)) await testCredential(rest, credential);
	});
	await check(`${tag} every lead added before, during and after the update is emitted`, async () => {
		for (const row of WATCHED) await waitForEmails(home, workflows[row.key], log.filter((l) => l.row === row.key).map((l) => l.email));
	});
	await check(`${tag} the new code runs: the cursor in static data is now version 2`, async () => {
		for (const row of WATCHED) {
			const version = cursorVersion(leadCursorOf(await n8n.readStaticData(home, workflows[row.key])));
			expect(version === 2, `${row.label}: cursor version ${version}`);
		}
	});

	// One more poll, then the count: every lead once, by id, and nothing from before activation.
	await s.sleep(65000);
	const table = [];
	for (const row of WATCHED) {
		const { leads, failures } = await emittedLeads(home, workflows[row.key]);
		const byId = new Map();
		for (const l of leads) byId.set(l.id, (byId.get(l.id) || 0) + 1);
		const byEmail = new Map();
		for (const l of leads) byEmail.set(l.email, (byEmail.get(l.email) || 0) + 1);
		for (const phase of ['v010', 'before', 'during', 'after']) {
			const added = log.filter((l) => l.row === row.key && l.phase === phase);
			const lost = added.filter((l) => !byEmail.has(l.email)).length;
			const repeated = added.filter((l) => (byEmail.get(l.email) || 0) > 1).length;
			table.push({ row, phase, added: added.length, emitted: added.length - lost, lost, repeated });
		}
		await check(`${tag} ${row.label}: each of ${log.filter((l) => l.row === row.key).length} new leads emitted exactly once (by id), none from before activation, no failed execution`, () => {
			expect(failures.length === 0, failures.join('; '));
			const repeatedIds = [...byId].filter(([, n]) => n > 1).map(([id]) => id);
			expect(repeatedIds.length === 0, `lead ids emitted more than once: ${repeatedIds.join(', ')}`);
			const added = new Set(log.filter((l) => l.row === row.key).map((l) => l.email));
			const missing = [...added].filter((e) => !byEmail.has(e));
			expect(missing.length === 0, `not emitted: ${missing.join(', ')}`);
			const old = leads.filter((l) => preActivation.has(l.email) || !added.has(l.email));
			expect(old.length === 0, `emitted leads that existed before activation: ${old.map((l) => l.email).join(', ')}`);
		});
	}
	note(`${tag} leads per phase (the update took ${updateMs} ms):`);
	s.printTable(
		['chatbot', 'phase', 'added', 'emitted', 'lost', 'repeated'],
		table.map((x) => [x.row.label, x.phase === 'v010' ? `on ${OLD_VERSION}` : `${x.phase} the update`, String(x.added), String(x.emitted), String(x.lost), String(x.repeated)]),
	);

	// The Instant Trigger (new in this version): a signed webhook, then once more after an Update.
	const webhookId = '5a0c7e2e-22aa-4c1b-9f00-0000000000a1';
	const instantUrl = s.instantUrl(server.url, webhookId);
	let instantId;
	const sendSigned = async (label) => {
		const sent = await sim.admin('POST', '/webhooks', { vendor: 'chatbase', chatbotId: 'e2e-install-instant', url: instantUrl, lead: { name: `Instant ${label}`, email: `instant-${label}@e2e.example.com` } });
		const statuses = sent.body.webhook.deliveries.map((d) => d.status);
		expect(JSON.stringify(statuses) === '[200]', `delivery statuses ${JSON.stringify(statuses)}`);
		await waitForEmails(home, instantId, [`instant-${label}@e2e.example.com`], 30000, INSTANT_NAME);
	};
	await check(`${tag} an Instant Trigger workflow (Chatbase, signing secret) answers a signed webhook on its production URL and emits the lead`, async () => {
		const credential = await createCredential(rest, { name: 'Chatbase webhooks', type: 'chatbaseApi', data: { apiKey: sim.keys.chatbase, baseUrl: sim.baseUrls.chatbase, webhookSecret: sim.webhookSecrets.chatbase } });
		const node = s.instantTriggerNode({ vendor: 'chatbase', chatbotId: 'e2e-install-instant', webhookId });
		node.credentials = credentialRefOf(credential);
		instantId = await createActiveWorkflow(rest, { name: 'Instant Chatbase leads', nodes: [node, s.noOpNode('Received')], connections: s.connect(INSTANT_NAME, 'Received') });
		await waitForWebhook(instantUrl);
		await sendSigned('first');
	});
	await check(`${tag} one more Update (to ${CURRENT.version} again: the package is unloaded and loaded): the same webhook URL answers, the triggers stay active`, async () => {
		const res = await rest.request('PATCH', '/community-packages', { name: s.PACKAGE }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		await sendSigned('after-update');
		for (const row of WATCHED) expect(await isActive(rest, workflows[row.key]), `${row.label} workflow is not active`);
	});

	await check(`${tag} DELETE /rest/community-packages (Uninstall): n8n stays healthy (/healthz 200), the nodes are gone`, async () => {
		const res = await rest.request('DELETE', `/community-packages?name=${encodeURIComponent(s.PACKAGE)}`, undefined, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		const health = await s.httpJson('GET', `${server.url}/healthz`, { allowError: true });
		expect(health.status === 200, `/healthz: HTTP ${health.status}`);
		const types = await knownTypes(server, rest);
		const ours = types.nodes.filter((x) => x.startsWith(`${s.PACKAGE}.`));
		expect(ours.length === 0, `still served: ${ours.join(', ')}`);
		expect(server.process.exitCode === null, 'n8n exited');
	});
	await check(`${tag} a fresh install by name (no version) gets ${CURRENT.version}, the latest, with its 3 nodes; uninstalled again, /healthz 200`, async () => {
		const res = await rest.request('POST', '/community-packages', { name: s.PACKAGE }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		expect(bodyData(res).installedVersion === CURRENT.version, `installedVersion ${bodyData(res).installedVersion}`);
		await expectTypes(server, rest, NODES_NEW);
		await rest.request('DELETE', `/community-packages?name=${encodeURIComponent(s.PACKAGE)}`);
		const health = await s.httpJson('GET', `${server.url}/healthz`, { allowError: true });
		expect(health.status === 200, `/healthz: HTTP ${health.status}`);
	});
	const output = server.output();
	await stopServer(server);
	server = null;
	await check(`${tag} no API key in n8n's output`, () => {
		const leaked = Object.values(sim.keys).filter((key) => output.includes(key));
		expect(leaked.length === 0, `${leaked.length} simulator key(s) in n8n's output`);
	});
}

module.exports = { upgradePart };
