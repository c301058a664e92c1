#!/usr/bin/env node
'use strict';
/**
 * Several chatbots in one node and one trigger (issue 14), in a real n8n 2.41.1.
 *
 *   node test/e2e/multi.js        (after npm run build; part of npm run test:e2e)
 *   E2E_KEEP=1 / E2E_ECHO=1       keep the n8n home / copy `n8n start` output to stderr
 *
 * Own n8n home and simulator (random free ports), the packed package installed as Settings >
 * Community Nodes does. It checks:
 *   1. `n8n execute`: Chatbot Leads with Chatbots = All Chatbots of the Account (Chatbase) returns
 *      every lead of every chatbot with its chatbotName; Several by ID (Chatof.ai) with a Limit
 *      counts the chatbots together, in the order typed;
 *   2. `n8n start` with an active Chatbot Leads Trigger (Chatzuri, Chatbots = All, List Chatbots
 *      Every 1 minute) over three chatbots, then a fourth created at the vendor while the workflow
 *      is active: every lead added after activation is emitted exactly once, with its chatbot
 *      (the new chatbot's lead captured before a list showed it too); leads from before, never.
 * Each check prints `ok - name` or `not ok - name: reason`; the last line is `N passed, N failed`
 * (also appended as `N M` to $TEST_SUMMARY_FILE when set). Exit 0 only if all passed. Takes about
 * 5 minutes with n8n cached, most of it waiting for minute polls.
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

function sameList(actual, expected, what) {
	expect(JSON.stringify(actual) === JSON.stringify(expected), `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

// ------------------------------------------------------------------------------ fixtures

/** The node's chatbots: All of a Chatbase account, and three Chatof.ai bots by ID. */
const NODE_ALL = [
	{ chatbotId: 'e2e-multi-node-sales', name: 'Sales bot', count: 130 },
	{ chatbotId: 'e2e-multi-node-support', name: 'Support bot', count: 7 },
];
const NODE_LIST = [
	{ chatbotId: 'e2e-multi-node-c1', count: 4 },
	{ chatbotId: 'e2e-multi-node-c2', count: 5 },
	{ chatbotId: 'e2e-multi-node-c3', count: 6 },
];
const NODE_LIMIT = 7;

/** The trigger's chatbots (a Chatzuri account): three at activation, one created later. */
const TRIGGER_BOTS = ['e2e-multi-a', 'e2e-multi-b', 'e2e-multi-c'];
const LATE_BOT = 'e2e-multi-late';
const WORKFLOW = { node: 'e2emultinode00000', trigger: 'e2emultitrigger00' };
const TRIGGER_NAME = 'Chatbot Leads Trigger';

const credentialRef = (vendor) => s.credentialRef(vendor);

function nodeWorkflow() {
	const node = (name, parameters, vendor, position) => ({
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: s.NODE_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: credentialRef(vendor),
	});
	return {
		id: WORKFLOW.node,
		name: 'E2E several chatbots: node',
		nodes: [
			s.manualTriggerNode(),
			node('All Chatbots', { provider: 'chatbase', chatbotScope: 'all', returnAll: true, options: {} }, 'chatbase', [220, -100]),
			node(
				'Several Chatbots',
				{
					provider: 'chatofAi',
					chatbotScope: 'list',
					chatbotIds: NODE_LIST.map((bot) => bot.chatbotId).join(',\n'),
					returnAll: false,
					limit: NODE_LIMIT,
					options: {},
				},
				'chatofAi',
				[220, 100],
			),
		],
		connections: s.connect('Manual Trigger', 'All Chatbots', 'Several Chatbots'),
	};
}

function triggerWorkflow() {
	return {
		id: WORKFLOW.trigger,
		name: 'E2E several chatbots: trigger',
		nodes: [
			{
				id: 'multitrigger',
				name: TRIGGER_NAME,
				type: s.TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					provider: 'chatzuri',
					chatbotScope: 'all',
					options: { listEveryMinutes: 1 },
				},
				credentials: credentialRef('chatzuri'),
			},
			s.noOpNode('Received'),
		],
		connections: s.connect(TRIGGER_NAME, 'Received'),
	};
}

// ------------------------------------------------------------------------------- set-up

async function setUp(state) {
	await check(`pinned n8n ${n8n.paths().version} is installed (cache reused when present)`, async () => {
		n8n.ensureInstalled({ quiet: false });
	});
	n8n.assertInstalled();
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeads', 'ChatbotLeads.node.js')), 'dist/ is missing: run npm run build first');

	state.sim = await s.startSimulator();
	note(`simulator on ${state.sim.url}`);
	const start = '2026-09-01T06:00:00.000Z';
	state.nodeLeads = {};
	for (const bot of NODE_ALL) {
		await state.sim.admin('POST', '/chatbots', { vendor: 'chatbase', chatbotId: bot.chatbotId, name: bot.name });
		const res = await state.sim.admin('POST', '/generate', { vendor: 'chatbase', chatbotId: bot.chatbotId, count: bot.count, start, stepMs: 7 * 60_000 });
		state.nodeLeads[bot.chatbotId] = res.body.leads;
	}
	for (const bot of NODE_LIST) {
		const res = await state.sim.admin('POST', '/generate', { vendor: 'chatofAi', chatbotId: bot.chatbotId, count: bot.count, start, stepMs: 7 * 60_000 });
		state.nodeLeads[bot.chatbotId] = res.body.leads;
	}
	// The trigger's chatbots: 20 leads each over the last 100 minutes, to be remembered, not emitted.
	state.existing = new Set();
	for (const chatbotId of TRIGGER_BOTS) {
		await state.sim.admin('POST', '/chatbots', { vendor: 'chatzuri', chatbotId, name: `Agent ${chatbotId}` });
		const res = await state.sim.admin('POST', '/generate', {
			vendor: 'chatzuri',
			chatbotId,
			count: 20,
			start: new Date(Date.now() - 100 * 60_000).toISOString(),
			stepMs: 5 * 60_000,
		});
		for (const lead of res.body.leads) state.existing.add(lead.email);
	}

	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-multi-pack-'));
	state.home = n8n.createN8nHome('chatbot-leads-e2e-multi-');
	note(`n8n home ${state.home}`);
	const tgz = await n8n.packPackage(s.REPO, state.tmp);
	await n8n.installPackedPackage(state.home, tgz);
	await n8n.importCredentials(state.home, s.simulatorCredentials(state.sim));
	await n8n.importWorkflow(state.home, [nodeWorkflow(), triggerWorkflow()]);
}

// ------------------------------------------------------------------------------ 1. node

async function checkNode(state) {
	const run = await check('node: All and Several by ID run in n8n execute', async () => {
		const result = await n8n.executeWorkflow(state.home, WORKFLOW.node);
		const error = n8n.runError(result);
		expect(result.status === 'success', `status ${result.status}${error ? `: ${error.message}` : ''}`);
		return result;
	});
	if (!run) return;
	await check('node: All Chatbots of the Account returns every lead of every chatbot, each with its chatbot and name', () => {
		const leads = n8n.nodeOutput(run, 'All Chatbots') || [];
		for (const bot of NODE_ALL) {
			const mine = leads.filter((lead) => lead.chatbotId === bot.chatbotId);
			expect(mine.length === bot.count, `${bot.chatbotId}: ${mine.length} leads, expected ${bot.count}`);
			expect(mine.every((lead) => lead.chatbotName === bot.name), `${bot.chatbotId}: chatbotName is not "${bot.name}"`);
			sameList(mine.map((lead) => lead.id).sort(), state.nodeLeads[bot.chatbotId].map((record) => String(record.id)).sort(), `${bot.chatbotId} ids`);
		}
		expect(leads.length === NODE_ALL.reduce((sum, bot) => sum + bot.count, 0), `${leads.length} leads in all`);
	});
	await check(`node: Several by ID with Limit ${NODE_LIMIT} counts the chatbots together, in the order typed`, () => {
		const leads = n8n.nodeOutput(run, 'Several Chatbots') || [];
		sameList(
			leads.map((lead) => lead.chatbotId),
			[...Array(4).fill(NODE_LIST[0].chatbotId), ...Array(3).fill(NODE_LIST[1].chatbotId)],
			'chatbots of the leads',
		);
		const emails = new Set([...state.nodeLeads[NODE_LIST[0].chatbotId], ...state.nodeLeads[NODE_LIST[1].chatbotId]].map((r) => r.email));
		expect(leads.every((lead) => emails.has(lead.email)), 'a lead that is not one of those chatbots\'');
	});
}

// ---------------------------------------------------------------------------- 2. trigger

let leadNumber = 0;

/** Adds one lead (captured now) to a trigger chatbot; returns its email. */
async function addLead(state, chatbotId) {
	leadNumber += 1;
	const email = `multi-${leadNumber}@e2e.example.com`;
	await state.sim.admin('POST', '/leads', {
		vendor: 'chatzuri',
		chatbotId,
		leads: [{ createdAt: new Date(Date.now() - 1000).toISOString(), name: `Multi ${leadNumber}`, email }],
	});
	state.added.push({ chatbotId, email });
	return email;
}

/** Every lead the trigger workflow emitted so far; failed executions throw. */
async function emitted(state) {
	const out = [];
	for (const execution of await n8n.readExecutions(state.home, WORKFLOW.trigger)) {
		if (['new', 'running', 'waiting'].includes(execution.status)) continue;
		expect(execution.status === 'success', `trigger execution ${execution.id}: ${execution.status} ${JSON.stringify(n8n.runError(execution))}`);
		out.push(...(n8n.nodeOutput(execution, TRIGGER_NAME) || []));
	}
	return out;
}

async function waitFor(what, condition, timeoutMs = 150000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (state.server && state.server.process.exitCode !== null) throw new Error('n8n exited');
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await s.sleep(2000);
	}
}

async function waitForEmails(state, emails) {
	return await waitFor(`leads ${emails.join(', ')} emitted`, async () => {
		const got = new Set((await emitted(state)).map((lead) => lead.email));
		return emails.every((email) => got.has(email));
	});
}

/** Lead requests the simulator got for one chatbot so far. */
async function leadRequestsFor(state, chatbotId) {
	const { requests } = (await state.sim.admin('GET', '/requests?vendor=chatzuri')).body;
	return requests.filter((r) => r.path === '/get-leads' && r.query.agentId === chatbotId).length;
}

/** Each added lead exactly once, with its chatbot; nothing that existed before. */
function checkExactlyOnce(state, leads) {
	const emails = leads.map((lead) => lead.email);
	const repeated = emails.filter((email, i) => emails.indexOf(email) !== i);
	expect(repeated.length === 0, `emitted more than once: ${[...new Set(repeated)].join(', ')}`);
	const old = emails.filter((email) => state.existing.has(email));
	expect(old.length === 0, `leads from before emitted: ${old.slice(0, 5).join(', ')}`);
	sameList([...emails].sort(), state.added.map((a) => a.email).sort(), 'emitted leads');
	for (const lead of leads) {
		const added = state.added.find((a) => a.email === lead.email);
		expect(lead.chatbotId === added.chatbotId, `${lead.email} came out with chatbotId ${lead.chatbotId}, expected ${added.chatbotId}`);
		expect(lead.chatbotName === `Agent ${added.chatbotId}`, `${lead.email}: chatbotName ${lead.chatbotName}`);
	}
}

let state;

async function checkTrigger() {
	state.added = [];
	await n8n.publishWorkflow(state.home, WORKFLOW.trigger);
	state.server = await n8n.startN8n(state.home, { echo: ECHO });
	note(`n8n start: ready in ${state.server.startupMs} ms`);

	const activated = await check('trigger: the activation poll remembers the three chatbots\' leads', async () => {
		await waitFor('a saved cursor for three chatbots', async () => {
			const data = await n8n.readStaticData(state.home, WORKFLOW.trigger);
			const cursor = data && data[`node:${TRIGGER_NAME}`] && data[`node:${TRIGGER_NAME}`].leadCursor;
			return cursor && Object.keys(cursor.chatbots || {}).length === 3 && s.seenFingerprints(cursor).size >= 60;
		}, 60000);
		return true;
	});
	if (!activated) return;

	const first = [await addLead(state, TRIGGER_BOTS[0]), await addLead(state, TRIGGER_BOTS[2])];
	note('added a lead to two of the three chatbots; waiting for the next minute poll');
	await check('trigger: new leads of two chatbots are emitted', () => waitForEmails(state, first));

	// A chatbot created at the vendor while the workflow is active, with a lead captured before a
	// list shows it: captured after activation, so it is emitted too (issue 19).
	await state.sim.admin('POST', '/chatbots', { vendor: 'chatzuri', chatbotId: LATE_BOT, name: `Agent ${LATE_BOT}` });
	const before = await state.sim.admin('POST', '/leads', {
		vendor: 'chatzuri',
		chatbotId: LATE_BOT,
		leads: [{ createdAt: new Date(Date.now() - 30_000).toISOString(), name: 'Before it was watched', email: 'late-before@e2e.example.com' }],
	});
	state.added.push({ email: before.body.leads[0].email, chatbotId: LATE_BOT });
	note(`created ${LATE_BOT} at the vendor; waiting until a poll lists and reads it`);
	const watched = await check('trigger: a chatbot created while the workflow is active is listed and polled', () =>
		waitFor(`a poll of ${LATE_BOT}`, async () => (await leadRequestsFor(state, LATE_BOT)) > 0),
	);
	if (watched) {
		const second = [await addLead(state, LATE_BOT), await addLead(state, TRIGGER_BOTS[1])];
		note('added a lead to the new chatbot and one to an old one; waiting for the next poll');
		await check('trigger: the new chatbot\'s new lead, and another chatbot\'s, are emitted', () => waitForEmails(state, second));
	}

	await check('trigger: after one more poll, every new lead came out exactly once, with its chatbot; no lead from before', async () => {
		const polls = await leadRequestsFor(state, TRIGGER_BOTS[0]);
		await waitFor('one more poll', async () => (await leadRequestsFor(state, TRIGGER_BOTS[0])) > polls);
		await s.sleep(5000); // an execution that poll started is saved by now
		checkExactlyOnce(state, await emitted(state));
	});
	await stopServer();
}

async function stopServer() {
	if (!state.server) return;
	const server = state.server;
	state.server = null;
	await server.stop();
}

// ---------------------------------------------------------------------------------- main

async function main() {
	state = {};
	await s.runScript(state, r, {
		runCheck: 'the several-chatbots end-to-end run itself',
		stopServer,
		keep: KEEP,
		steps: async () => {
			await setUp(state);
			await checkNode(state);
			await checkTrigger();
		},
	});
}

main();
