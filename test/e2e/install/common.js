'use strict';
// Constants, shared state and helpers of test/e2e/install.js (see its header).
const fs = require('fs');
const path = require('path');

const n8n = require('../../../scripts/n8n/lib');
const { createReport } = require('../report');
const s = require('../support');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const PARTS = new Set((process.env.E2E_INSTALL_PARTS || 'upgrade,queue,npm').split(',').map((p) => p.trim()));
const r = createReport();
const { note, check, expect } = r;

const OLD_VERSION = '0.1.0';
const CURRENT = JSON.parse(fs.readFileSync(path.join(s.REPO, 'package.json'), 'utf8'));
const CUSTOM_REGISTRY_FEATURE = 'feat:communityNodes:customRegistry';
const TRIGGER_NAME = 'Chatbot Leads Trigger';
const INSTANT_NAME = 'Chatbot Leads Instant Trigger';
const POLL_WAIT_MS = 150000;

const NODES_OLD = [s.NODE_TYPE, s.TRIGGER_TYPE];
const NODES_NEW = [s.NODE_TYPE, s.TRIGGER_TYPE, s.INSTANT_TYPE];
const CREDENTIAL_TYPES = s.VENDORS.map((v) => v.credentialType);
// The current version's credentials as package.json registers them (0.2.0 adds the webhook-only one).
const CREDENTIAL_TYPES_NEW = CURRENT.n8n.credentials.map((file) => path.basename(file, '.credentials.js').replace(/^./, (c) => c.toLowerCase()));

/** The watched chatbots of the upgrade part: one workflow each. */
const WATCHED = [
	{ key: 'chatbase', vendor: 'chatbase', label: 'Chatbase', chatbotId: 'e2e-install-chatbase' },
	{ key: 'robofy', vendor: 'robofy', label: 'Robofy', chatbotId: 'e2e-install-robofy', projectId: 404 },
];

const state = { homes: [], servers: [], workers: [] };

// ------------------------------------------------------------------------------- helpers

const bodyData = (res) => (res.body && res.body.data !== undefined ? res.body.data : res.body);

/** A logged-in REST client on a fresh n8n (owner set up), with the custom-registry feature on. */
async function ownerClient(server, { setup = true, email = 'install-owner@example.com', password } = {}) {
	const rest = new s.N8nRestClient(server.url);
	if (setup) await rest.setupOwner({ email, password });
	rest.cookie = '';
	await rest.login(email, password);
	expect(rest.cookie, 'no auth cookie after login');
	const res = await s.httpJson('PATCH', `${server.url}/rest/e2e/feature`, { body: { feature: CUSTOM_REGISTRY_FEATURE, enabled: true } });
	expect(res.status === 200, `PATCH /rest/e2e/feature: HTTP ${res.status}`);
	return rest;
}

/** Node type names and credential type names n8n serves to the editor right now. */
async function knownTypes(server, rest) {
	// n8n rewrites these files after an install; read in between, they may not be JSON yet.
	const get = async (urlPath) => {
		for (let attempt = 1; ; attempt++) {
			const res = await s.httpJson('GET', `${server.url}${urlPath}`, { headers: { cookie: rest.cookie, 'browser-id': rest.browserId }, allowError: true, timeoutMs: 60000 });
			if (res.status === 200 && Array.isArray(res.body)) return res.body.map((t) => t.name);
			expect(attempt < 20, `GET ${urlPath}: HTTP ${res.status}, ${typeof res.body === 'string' ? res.body.slice(0, 120) : typeof res.body}`);
			await s.sleep(500);
		}
	};
	return { nodes: await get('/types/nodes.json'), credentials: await get('/types/credentials.json') };
}

async function expectTypes(server, rest, nodes, { absent = [] } = {}) {
	const types = await knownTypes(server, rest);
	const ours = types.nodes.filter((n) => n.startsWith(`${s.PACKAGE}.`));
	expect(nodes.every((n) => ours.includes(n)), `nodes served: ${JSON.stringify(ours)}, expected ${JSON.stringify(nodes)}`);
	expect(absent.every((n) => !ours.includes(n)), `nodes served: ${JSON.stringify(ours)}, none of ${JSON.stringify(absent)} expected`);
	const wanted = absent.length > 0 ? CREDENTIAL_TYPES : CREDENTIAL_TYPES_NEW;
	const creds = wanted.filter((c) => types.credentials.includes(c));
	expect(creds.length === wanted.length, `credential types served: ${JSON.stringify(creds)} of ${JSON.stringify(wanted)}`);
	return ours;
}

/** POST /rest/credentials (as the credential dialog saves one). Resolves { id, name, type }. */
async function createCredential(rest, { name, type, data }) {
	const res = await rest.request('POST', '/credentials', { name, type, data });
	const created = bodyData(res);
	expect(created && created.id, `POST /rest/credentials: ${JSON.stringify(res.body).slice(0, 300)}`);
	return { id: created.id, name, type };
}

/** The credential dialog's Test of a saved credential: its stored data (secrets redacted) sent back. */
async function testCredential(rest, credential) {
	const saved = bodyData(await rest.request('GET', `/credentials/${credential.id}?includeData=true`));
	const answer = await rest.testCredential({ id: credential.id, name: credential.name, type: credential.type, data: saved.data });
	expect(answer && answer.status === 'OK', `${credential.name}: ${JSON.stringify(answer)}`);
}

/** POST /rest/workflows, then POST /rest/workflows/:id/activate (the editor's Publish/Activate). */
async function createActiveWorkflow(rest, workflow) {
	const res = await rest.request('POST', '/workflows', { settings: { executionOrder: 'v1' }, connections: {}, active: false, ...workflow });
	const created = bodyData(res);
	expect(created && created.id && created.versionId, `POST /rest/workflows: ${JSON.stringify(res.body).slice(0, 300)}`);
	await activateWorkflow(rest, created.id, created.versionId);
	return created.id;
}

async function activateWorkflow(rest, id, versionId) {
	if (!versionId) versionId = bodyData(await rest.request('GET', `/workflows/${id}`)).versionId;
	const res = await rest.request('POST', `/workflows/${id}/activate`, { versionId }, { allowError: true });
	expect(res.status === 200, `activate ${id}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
}

async function isActive(rest, id) {
	const wf = bodyData(await rest.request('GET', `/workflows/${id}`));
	return Boolean(wf.active || wf.activeVersionId);
}

function credentialRefOf(credential) {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}

function triggerWorkflow(row, credential, suffix = '') {
	const node = s.triggerNode({ vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId });
	node.credentials = credentialRefOf(credential);
	return {
		name: `New ${row.label} leads${suffix}`,
		nodes: [node, s.noOpNode('Received')],
		connections: s.connect(TRIGGER_NAME, 'Received'),
	};
}

/** The leads a trigger workflow emitted: [{ id, email, executionId }], failed executions apart. */
async function emittedLeads(home, workflowId, nodeName = TRIGGER_NAME) {
	const leads = [];
	const failures = [];
	for (const execution of await n8n.readExecutions(home, workflowId)) {
		if (['new', 'running', 'waiting'].includes(execution.status)) continue;
		if (execution.status !== 'success') {
			const error = n8n.runError(execution);
			failures.push(`execution ${execution.id}: ${execution.status}${error ? ` (${error.message})` : ''}`);
			continue;
		}
		for (const lead of n8n.nodeOutput(execution, nodeName) || []) leads.push({ id: lead.id, email: lead.email, executionId: execution.id });
	}
	return { leads, failures };
}

/** Adds leads to a watched chatbot; returns their emails. */
async function addLeads(sim, row, tag, count, log) {
	const now = Date.now();
	const leads = Array.from({ length: count }, (_, i) => ({
		createdAt: new Date(now - (count - 1 - i) * 1000).toISOString(),
		name: `Install ${tag} ${i + 1}`,
		email: `install-${tag}-${i + 1}.${row.key}@e2e.example.com`,
		phone: `+1555020${String(i + 1).padStart(4, '0')}`,
	}));
	await sim.admin('POST', '/leads', { vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, leads });
	for (const lead of leads) log.push({ row: row.key, phase: tag, email: lead.email, addedAt: now });
	return leads.map((l) => l.email);
}

/** Waits until every email is among a workflow's emitted leads (or the timeout). */
async function waitForEmails(home, workflowId, emails, timeoutMs = POLL_WAIT_MS, nodeName = TRIGGER_NAME) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { leads } = await emittedLeads(home, workflowId, nodeName);
		const have = new Set(leads.map((l) => l.email));
		const missing = emails.filter((e) => !have.has(e));
		if (!missing.length) return;
		if (Date.now() > deadline) throw new Error(`not emitted within ${timeoutMs / 1000} s: ${missing.join(', ')}`);
		await s.sleep(1000);
	}
}

function leadCursorOf(staticData) {
	const nodeData = staticData && staticData[`node:${TRIGGER_NAME}`];
	return nodeData && nodeData.leadCursor;
}

function cursorVersion(cursor) {
	if (!cursor) return null;
	return cursor.version || cursor.v || null;
}

async function startServer(home, env, tag) {
	const server = await n8n.startN8n(home, { env, echo: ECHO ? `[${tag}] ` : false, timeoutMs: 240000 });
	state.servers.push(server);
	return server;
}

async function stopServer(server) {
	state.servers = state.servers.filter((x) => x !== server);
	return server.stop();
}

/** Waits until POSTing to an Instant Trigger's production URL no longer answers 404. */
async function waitForWebhook(url, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await s.httpJson('POST', url, { body: '', allowError: true });
		if (res.status !== 404) return;
		if (Date.now() > deadline) throw new Error(`${url}: still 404 after ${timeoutMs / 1000} s`);
		await s.sleep(250);
	}
}

module.exports = { CREDENTIAL_TYPES, CREDENTIAL_TYPES_NEW, CURRENT, CUSTOM_REGISTRY_FEATURE, ECHO, INSTANT_NAME, KEEP, NODES_NEW, NODES_OLD, OLD_VERSION, PARTS, POLL_WAIT_MS, TRIGGER_NAME, WATCHED, activateWorkflow, addLeads, bodyData, check, createActiveWorkflow, createCredential, credentialRefOf, cursorVersion, emittedLeads, expect, expectTypes, isActive, knownTypes, leadCursorOf, note, ownerClient, r, startServer, state, stopServer, testCredential, triggerWorkflow, waitForEmails, waitForWebhook };
