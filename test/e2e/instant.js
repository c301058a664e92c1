#!/usr/bin/env node
'use strict';
/**
 * The Chatbot Leads Instant Trigger in a real n8n 2.41.1: active workflows receive the vendors'
 * signed webhooks on their production URLs (`<n8n>/webhook/<webhook id>/webhook`).
 *
 *   npm run build && node test/e2e/instant.js      (part of npm run test:e2e; Node 20 is enough)
 *   E2E_KEEP=1 / E2E_ECHO=1                       keep the n8n home / copy n8n's output to stderr
 *
 * It has its own n8n home and its own simulator (test/simulator, which sends the webhooks as
 * Chatbase and Chatzuri do). Three workflows, Instant Trigger -> No Op: Chatbase (chatbot
 * e2e-cb-bot, signing secret), Chatzuri (agent e2e-cz-agent, signing secret), Chatzuri with a
 * credential without secret (every agent). Checks: each lead once with the right fields; a bad,
 * missing or tampered signature gets 401 and starts nothing; a redelivery and concurrent copies
 * start one execution; another chatbot's event, another event type, malformed JSON and a body
 * without a lead start nothing; the three Chatzuri shapes; the received-events state survives
 * a restart; no signing secret in n8n's output or stored executions.
 * Prints `ok - …` / `not ok - …`, then `N passed, N failed` (appended as `N M` to
 * $TEST_SUMMARY_FILE when set). Exit 0 only if all passed. About 1-2 minutes with n8n cached.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');
const { createReport } = require('./report');
const s = require('./support');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const r = createReport();
const { note, report, check, expect } = r;

// ------------------------------------------------------------------------------ fixtures

const CHATBASE = { id: 'e2eInstantChtbse', webhookId: '7c1f5a40-0d7e-4a5e-9b8e-3f2d6c1b0a01', vendor: 'chatbase', chatbotId: 'e2e-cb-bot' };
const CHATZURI = { id: 'e2eInstantChtzri', webhookId: '7c1f5a40-0d7e-4a5e-9b8e-3f2d6c1b0a02', vendor: 'chatzuri', chatbotId: 'e2e-cz-agent' };
const UNSIGNED = { id: 'e2eInstantNoSecr', webhookId: '7c1f5a40-0d7e-4a5e-9b8e-3f2d6c1b0a03', vendor: 'chatzuri', chatbotId: '', variant: 'no secret' };
// Authentication: Webhook Secret Only, with a credential that holds no API key.
const SECRET_ONLY = { id: 'e2eInstantSecOnl', webhookId: '7c1f5a40-0d7e-4a5e-9b8e-3f2d6c1b0a04', vendor: 'chatzuri', chatbotId: '', secretOnly: true };
const SECRET_ONLY_SECRET = 'e2e-webhook-only-secret';
// Include Conversation: the conversation the lead's payload names, fetched inside the execution.
const WITH_CONVERSATION = { id: 'e2eInstantConvrs', webhookId: '7c1f5a40-0d7e-4a5e-9b8e-3f2d6c1b0a05', vendor: 'chatbase', chatbotId: 'e2e-cb-conv', options: { includeConversation: true } };
const WORKFLOWS = [CHATBASE, CHATZURI, UNSIGNED, SECRET_ONLY, WITH_CONVERSATION];
const TRIGGER_NAME = 'Chatbot Leads Instant Trigger';

function workflow({ id, webhookId, vendor, chatbotId, variant = '', secretOnly = false, options = {} }) {
	const trigger = s.instantTriggerNode({ vendor, chatbotId, webhookId, credentialVariant: variant, options });
	if (secretOnly) {
		trigger.parameters.authentication = 'webhookSecret';
		trigger.credentials = { chatbotLeadsWebhookApi: { id: SECRET_ONLY_CREDENTIAL.id, name: SECRET_ONLY_CREDENTIAL.name } };
	}
	return {
		id,
		name: `E2E instant ${vendor}${variant ? ` (${variant})` : ''}${secretOnly ? ' (webhook secret only)' : ''}`,
		nodes: [trigger, s.noOpNode('Received')],
		connections: s.connect(TRIGGER_NAME, 'Received'),
	};
}

const SECRET_ONLY_CREDENTIAL = { id: 'e2eWebhookSecOnl', name: 'Webhook secret only', type: 'chatbotLeadsWebhookApi', data: { webhookSecret: SECRET_ONLY_SECRET } };

function unsignedCredential(sim) {
	return { id: s.credentialId('chatzuri', 'no secret'), name: 'Chatzuri (no secret)', type: 'chatzuriApi', data: { apiKey: sim.keys.chatzuri, baseUrl: sim.baseUrls.chatzuri } };
}

let leadCounter = 0;
function newLead(tag) {
	leadCounter += 1;
	return { name: `Instant ${tag} ${leadCounter}`, email: `instant-${leadCounter}-${tag}@e2e.example.com`, phone: `+1555010${String(leadCounter).padStart(4, '0')}`, conversationId: `conv-e2e-${leadCounter}` };
}

// ---------------------------------------------------------------------------- the checks

/** Sends a webhook through the simulator's admin API (as the vendor would); resolves its log entry. */
async function send(state, target, options = {}) {
	const res = await state.sim.admin('POST', '/webhooks', {
		vendor: target.vendor,
		chatbotId: target.chatbotId || 'any-agent',
		url: s.instantUrl(state.server.url, target.webhookId),
		...options,
	});
	return res.body.webhook;
}

async function redeliver(state, webhook, options = {}) {
	return (await state.sim.admin('POST', '/webhooks/redeliver', { id: webhook.id, ...options })).body.webhook;
}

const statuses = (webhook) => webhook.deliveries.map((d) => d.status);

/** Every lead a workflow's trigger emitted so far, with its execution; a failed execution throws. */
async function emitted(state, target) {
	const out = [];
	for (const execution of await n8n.readExecutions(state.home, target.id)) {
		if (['new', 'running', 'waiting'].includes(execution.status)) continue;
		expect(execution.status === 'success', `execution ${execution.id}: ${execution.status} ${JSON.stringify(n8n.runError(execution))}`);
		for (const lead of n8n.nodeOutput(execution, TRIGGER_NAME) || []) out.push({ execution, lead });
	}
	return out;
}

/**
 * Waits until the workflow emitted exactly the leads with these emails, in executions of one lead
 * each. Later checks send a good lead after bad requests, so anything a bad request started
 * would show up before it.
 */
async function expectEmitted(state, target, emails, timeoutMs = 30000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const got = await emitted(state, target);
		const have = got.map((e) => e.lead.email);
		if (have.length >= emails.length || Date.now() > deadline) {
			expect(
				JSON.stringify(have) === JSON.stringify(emails),
				`emitted ${JSON.stringify(have)}, expected ${JSON.stringify(emails)}`,
			);
			expect(new Set(got.map((e) => e.execution.id)).size === got.length, 'an execution emitted more than one item');
			return got;
		}
		await s.sleep(300);
	}
}

async function checkChatbase(state) {
	const expected = [];
	const lead = newLead('chatbase');
	const first = await check('Chatbase: a signed leads.submit gets 200 and starts one execution with the lead in the shared shape', async () => {
		const sent = await send(state, CHATBASE, { lead, pretty: true });
		expect(JSON.stringify(statuses(sent)) === '[200]', `status ${statuses(sent)} ${JSON.stringify(sent.deliveries[0].body)}`);
		expected.push(lead.email);
		const [{ lead: item }] = await expectEmitted(state, CHATBASE, expected);
		const sentAt = sent.deliveries[0].sentAt;
		expect(sent.deliveries[0].body.message === 'Workflow was started' && sent.deliveries[0].body.id === item.id, `answer ${JSON.stringify(sent.deliveries[0].body)}`);
		expect(/^chatbase_[0-9a-f]{24}$/.test(item.id), `id ${item.id}`);
		const want = { provider: 'chatbase', chatbotId: CHATBASE.chatbotId, name: lead.name, email: lead.email, phone: lead.phone, conversationId: lead.conversationId };
		for (const [key, value] of Object.entries(want)) expect(item[key] === value, `${key}: ${JSON.stringify(item[key])}, expected ${JSON.stringify(value)}`);
		expect(JSON.stringify(item.fields) === '{}', `fields ${JSON.stringify(item.fields)}`);
		const createdAt = Date.parse(item.createdAt);
		expect(createdAt >= sentAt - 1000 && createdAt <= Date.now(), `createdAt ${item.createdAt} is not when n8n received it`);
		return sent;
	});
	if (!first) return;

	await check('Chatbase: redeliveries of the same bytes get 200 "Already received" and start nothing', async () => {
		const again = await redeliver(state, first, { copies: 2 });
		expect(JSON.stringify(statuses(again)) === '[200,200]', `status ${statuses(again)}`);
		expect(/Already received/.test(again.deliveries[0].body.message), JSON.stringify(again.deliveries[0].body));
	});

	await check('Chatbase: a wrong, a missing and a tampered signature each get 401 and start nothing', async () => {
		for (const signature of ['wrong', 'none', 'tampered']) {
			const sent = await send(state, CHATBASE, { lead: newLead(`bad-${signature}`), signature });
			expect(JSON.stringify(statuses(sent)) === '[401]', `${signature}: status ${statuses(sent)}`);
		}
	});

	await check("Chatbase: another chatbot's lead gets 200 and is not emitted", async () => {
		const sent = await send(state, CHATBASE, { chatbotId: 'someone-elses-bot', lead: newLead('other-bot') });
		expect(JSON.stringify(statuses(sent)) === '[200]' && /Ignored/.test(sent.deliveries[0].body.message), JSON.stringify(sent.deliveries));
	});

	await check('Chatbase: unreadable bodies are refused (n8n 422 for JSON it cannot parse, the node 400); signed events it can never emit get 200 "Not emitted" (no day of retries); none starts anything', async () => {
		const cases = [
			{ body: '{"eventType": "leads.submit", ', contentType: 'application/json', status: 422 },
			{ body: '{"eventType": "leads.submit", ', contentType: 'text/plain', status: 400 },
			{ body: '{"eventType":"leads.submit","chatbotId":"e2e-cb-bot"}', contentType: 'application/json', status: 200, message: /^Not emitted: the leads\.submit event has no lead/ },
			{ body: '{"hello":"world"}', contentType: 'application/json', status: 200, message: /^Not emitted: the body is not a Chatbase webhook event/ },
		];
		for (const { body, contentType, status, message } of cases) {
			const sent = await send(state, CHATBASE, { body, contentType });
			expect(statuses(sent)[0] === status, `${contentType} ${body}: status ${statuses(sent)}, expected ${status}`);
			if (message) expect(message.test(String(sent.deliveries[0].body.message)), `${body}: ${JSON.stringify(sent.deliveries[0].body)}`);
		}
	});

	let later;
	await check('Chatbase: after all that, only the good leads were emitted, each once', async () => {
		const next = newLead('chatbase-after');
		later = await send(state, CHATBASE, { lead: next });
		expected.push(next.email);
		await expectEmitted(state, CHATBASE, expected);
	});

	const concurrent = newLead('concurrent');
	await check('Chatbase: 5 copies of one event at the same moment start exactly one execution', async () => {
		const sent = await send(state, CHATBASE, { lead: concurrent, copies: 5, concurrent: true });
		const counts = {};
		for (const status of statuses(sent)) counts[status] = (counts[status] || 0) + 1;
		note(`5 concurrent copies answered ${JSON.stringify(counts)} (the copies wait for the first one's execution to start, then get 200 "Already received")`);
		expect(counts[200] === 5, `answers ${JSON.stringify(counts)}: every copy is acknowledged once the first one's execution started`);
		const messages = sent.deliveries.map((d) => String(d.body.message));
		// A copy that arrives once the execution has saved its state gets the plain "Already received" answer.
		expect(messages.filter((m) => /^Already received: /.test(m)).length === 4, JSON.stringify(messages));
		expected.push(concurrent.email);
		const marker = newLead('after-concurrent');
		await send(state, CHATBASE, { lead: marker });
		expected.push(marker.email);
		await expectEmitted(state, CHATBASE, expected);
		state.concurrentAnswers = counts;
	});
	state.chatbase = { first, later, expected };
}

async function checkChatzuri(state) {
	const expected = [];
	await check("Chatzuri: the developer guide's shape (event, timestamp, agent_id, data), sha256= hex: emitted with the event's time", async () => {
		const lead = { ...newLead('guide'), createdAt: '2026-11-01T10:15:30Z' };
		const sent = await send(state, CHATZURI, { shape: 'guide', lead });
		expect(JSON.stringify(statuses(sent)) === '[200]', `status ${statuses(sent)} ${JSON.stringify(sent.deliveries[0].body)}`);
		expected.push(lead.email);
		const got = await expectEmitted(state, CHATZURI, expected);
		const item = got[got.length - 1].lead;
		expect(item.createdAt === '2026-11-01T10:15:30.000Z', `createdAt ${item.createdAt}`);
		expect(item.chatbotId === CHATZURI.chatbotId && item.provider === 'chatzuri', JSON.stringify(item));
		expect(JSON.stringify(item.fields) === '{"channel":"website"}', `fields ${JSON.stringify(item.fields)}`);
	});

	await check("Chatzuri: the API page's shape (eventType, agentId, payload), sha256= base64: emitted", async () => {
		const lead = newLead('api');
		const sent = await send(state, CHATZURI, { shape: 'api', signature: 'base64', lead });
		expect(JSON.stringify(statuses(sent)) === '[200]', `status ${statuses(sent)}`);
		expected.push(lead.email);
		const got = await expectEmitted(state, CHATZURI, expected);
		expect(got[got.length - 1].lead.conversationId === lead.conversationId, 'conversationId');
	});

	await check('Chatzuri: the older API page (chatbotId, leads.submit, SHA-1 signature): emitted', async () => {
		const lead = newLead('legacy');
		const sent = await send(state, CHATZURI, { shape: 'apiLegacy', lead });
		expect(JSON.stringify(statuses(sent)) === '[200]', `status ${statuses(sent)}`);
		expected.push(lead.email);
		await expectEmitted(state, CHATZURI, expected);
	});

	await check("Chatzuri: retries (the same event 3 more times), another agent's lead, a message.received event and a bad signature start nothing", async () => {
		const lead = newLead('retried');
		const sent = await send(state, CHATZURI, { lead });
		expected.push(lead.email);
		// A vendor retries after a while: by then the execution is there.
		await expectEmitted(state, CHATZURI, expected);
		const retried = await redeliver(state, sent, { copies: 3 });
		expect(JSON.stringify(statuses(retried)) === '[200,200,200]', `retries: ${statuses(retried)}`);
		const otherAgent = await send(state, CHATZURI, { chatbotId: 'agt_other', lead: newLead('other-agent') });
		const otherEvent = await send(state, CHATZURI, { eventType: 'message.received', payload: { message: 'hello' } });
		const badSignature = await send(state, CHATZURI, { lead: newLead('bad'), signature: 'wrong' });
		expect(statuses(otherAgent)[0] === 200 && statuses(otherEvent)[0] === 200, `ignored events: ${statuses(otherAgent)} ${statuses(otherEvent)}`);
		expect(statuses(badSignature)[0] === 401, `bad signature: ${statuses(badSignature)}`);
		const marker = newLead('marker');
		await send(state, CHATZURI, { lead: marker });
		expected.push(marker.email);
		await expectEmitted(state, CHATZURI, expected);
	});

	await check('Chatzuri without a signing secret: unsigned leads of every agent are accepted', async () => {
		const a = newLead('unsigned-a');
		const b = newLead('unsigned-b');
		const first = await send(state, UNSIGNED, { chatbotId: 'agt_a', lead: a, secret: null });
		const second = await send(state, UNSIGNED, { chatbotId: 'agt_b', shape: 'api', lead: b, secret: null });
		expect(statuses(first)[0] === 200 && statuses(second)[0] === 200, `${statuses(first)} ${statuses(second)}`);
		const got = await expectEmitted(state, UNSIGNED, [a.email, b.email]);
		expect(got.map((e) => e.lead.chatbotId).join() === 'agt_a,agt_b', 'chatbot ids');
	});
}

async function checkSecretOnly(state) {
	await check('Webhook Secret Only (a credential without API key): a signed lead gets 200 and is emitted; a wrong signature gets 401', async () => {
		const lead = newLead('secret-only');
		const sent = await send(state, SECRET_ONLY, { lead, secret: SECRET_ONLY_SECRET });
		expect(JSON.stringify(statuses(sent)) === '[200]', JSON.stringify(sent.deliveries));
		const refused = await send(state, SECRET_ONLY, { lead: newLead('secret-only-forged'), secret: 'not the secret' });
		expect(JSON.stringify(statuses(refused)) === '[401]', JSON.stringify(refused.deliveries));
		await expectEmitted(state, SECRET_ONLY, [lead.email]);
	});

	await check("refusals are logged within bounds: 30 forged requests in a row write at most 5 lines to n8n's log, and each still gets 401", async () => {
		const countLines = () => (state.server.output().match(/Chatbot Leads Instant Trigger refused a request/g) || []).length;
		const before = countLines();
		const answers = [];
		for (let i = 0; i < 30; i++) answers.push(...statuses(await send(state, SECRET_ONLY, { lead: newLead(`forged-${i}`), secret: 'forged' })));
		await s.sleep(500);
		const written = countLines() - before;
		note(`30 forged requests: ${written} refusal lines in n8n's log`);
		expect(answers.every((status) => status === 401), JSON.stringify(answers));
		expect(written >= 1 && written <= 5, `${written} lines`);
		expect(/Further ones this minute are counted, not logged/.test(state.server.output()), 'no line says the rest are counted');
	});
}

async function checkConversation(state) {
	await check('Include Conversation: the lead comes with the conversation its payload names (matchedBy conversationId), and the vendor got its 200 first', async () => {
		const conversation = (
			await state.sim.admin('POST', '/conversations', {
				vendor: 'chatbase',
				chatbotId: WITH_CONVERSATION.chatbotId,
				conversation: { customer: 'visitor@example.com', messages: [{ role: 'user', content: 'Can I book a demo?' }, { role: 'assistant', content: 'Sure' }] },
			})
		).body.conversation;
		const lead = { ...newLead('conversation'), conversationId: conversation.id };
		const sent = await send(state, WITH_CONVERSATION, { lead });
		expect(JSON.stringify(statuses(sent)) === '[200]', JSON.stringify(sent.deliveries));
		const [{ lead: item }] = await expectEmitted(state, WITH_CONVERSATION, [lead.email]);
		const got = item.conversation || {};
		expect(got.id === conversation.id && got.matchedBy === 'conversationId', JSON.stringify(item.conversation));
		expect(JSON.stringify((got.messages || []).map((m) => [m.role, m.text])) === JSON.stringify([['user', 'Can I book a demo?'], ['assistant', 'Sure']]), JSON.stringify(got.messages));
	});
}

async function checkRestartAndSecrets(state) {
	if (!state.chatbase) return;
	await check('the received-events state is saved in the workflow (static data) with the emitted ids', async () => {
		const data = await n8n.readStaticData(state.home, CHATBASE.id);
		const ids = data && data[`node:${TRIGGER_NAME}`] && data[`node:${TRIGGER_NAME}`].receivedEvents && data[`node:${TRIGGER_NAME}`].receivedEvents.ids;
		expect(ids, `no receivedEvents in ${JSON.stringify(data)}`);
		const emittedIds = (await emitted(state, CHATBASE)).map((e) => e.lead.id);
		const missing = emittedIds.filter((id) => !(id in ids));
		expect(missing.length === 0, `emitted ids missing from the saved state: ${missing.join(', ')}`);
	});

	await stopServer(state);
	await startServer(state);
	// The first lead's state was saved with the webhook's answer (the column was still NULL); a later
	// one's only by the execution's first step, as n8n 2.41 drops a webhook's change after that.
	await check('after a restart, redeliveries of the first and of a later lead are still acknowledged and not emitted', async () => {
		for (const webhook of [state.chatbase.first, state.chatbase.later].filter(Boolean)) {
			const again = await redeliver(state, webhook);
			expect(statuses(again)[0] === 200 && /Already received/.test(again.deliveries[0].body.message), JSON.stringify(again.deliveries));
		}
		const marker = newLead('after-restart');
		await send(state, CHATBASE, { lead: marker });
		state.chatbase.expected.push(marker.email);
		await expectEmitted(state, CHATBASE, state.chatbase.expected);
	});

	await check("no webhook signing secret in n8n's output or in the stored executions", async () => {
		const secrets = Object.values(state.sim.webhookSecrets);
		const output = state.server.output();
		expect(secrets.every((secret) => !output.includes(secret)), "a secret is in n8n's output");
		const rows = await n8n.querySqlite(state.home, 'SELECT d.data AS data, d.workflowData AS workflowData FROM execution_data d');
		expect(rows.length > 0, 'no stored executions to look at');
		expect(rows.every((r) => secrets.every((secret) => !`${r.data}${r.workflowData}`.includes(secret))), 'a secret is in a stored execution');
	});
}

// ---------------------------------------------------------------------------------- main

/**
 * n8n prints "Editor is now accessible" before it has registered the published workflows'
 * webhooks; until then their URLs answer 404. Waits until none does (an empty POST: the node
 * answers 400 and starts nothing).
 */
async function waitForWebhooks(state, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (const { webhookId } of WORKFLOWS) {
		for (;;) {
			const res = await s.httpJson('POST', s.instantUrl(state.server.url, webhookId), { body: '', allowError: true });
			if (res.status !== 404) break;
			if (Date.now() > deadline) throw new Error(`${webhookId}: still 404 after ${timeoutMs / 1000} s`);
			await s.sleep(250);
		}
	}
}

/** Starts n8n; on a restart, on the same port: the vendor keeps sending to the URL it was given. */
async function startServer(state) {
	const env = state.port ? { N8N_PORT: state.port } : {};
	state.server = await n8n.startN8n(state.home, { echo: ECHO, env });
	state.port = state.server.port;
	const started = Date.now();
	await waitForWebhooks(state);
	note(`n8n start: ready in ${state.server.startupMs} ms at ${state.server.url}; webhooks registered ${Date.now() - started} ms later`);
}

async function stopServer(state) {
	if (!state.server) return;
	const server = state.server;
	state.server = null;
	await server.stop();
	state.output = (state.output || '') + server.output();
}

async function setUp(state) {
	n8n.ensureInstalled({ quiet: false });
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsInstantTrigger', 'ChatbotLeadsInstantTrigger.node.js')), 'dist/ is missing the Instant Trigger: run npm run build first');
	state.sim = await s.startSimulator();
	note(`simulator on ${state.sim.url}`);
	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-instant-pack-'));
	state.home = n8n.createN8nHome('chatbot-leads-instant-');
	const tgz = await n8n.packPackage(s.REPO, state.tmp);
	await n8n.installPackedPackage(state.home, tgz);
	await n8n.importCredentials(state.home, [...s.simulatorCredentials(state.sim), unsignedCredential(state.sim), SECRET_ONLY_CREDENTIAL]);
	await n8n.importWorkflow(state.home, WORKFLOWS.map(workflow));
	for (const { id } of WORKFLOWS) await n8n.publishWorkflow(state.home, id);
	note(`installed the packed package, imported and published ${WORKFLOWS.length} workflows in ${state.home}`);
	await startServer(state);
	await check('activation registers each Instant Trigger production URL (POST <n8n>/webhook/<webhook id>/webhook)', async () => {
		const rows = await n8n.querySqlite(state.home, 'SELECT webhookPath, method, workflowId FROM webhook_entity');
		for (const { id, webhookId } of WORKFLOWS) {
			expect(rows.some((r) => r.workflowId === id && r.method === 'POST' && r.webhookPath === `${webhookId}/webhook`), `${id}: ${JSON.stringify(rows)}`);
		}
	});
}

async function main() {
	const state = {};
	await s.runScript(state, r, {
		runCheck: 'the instant-trigger end-to-end run itself',
		stopServer,
		keep: KEEP,
		steps: async () => {
			await setUp(state);
			await checkChatbase(state);
			await checkChatzuri(state);
			await checkSecretOnly(state);
			await checkConversation(state);
			await checkRestartAndSecrets(state);
		},
	});
}

main();
