#!/usr/bin/env node
'use strict';
/**
 * Include Conversation (issue 20) in a real n8n 2.41.1 (default engine), the package installed as
 * Settings > Community Nodes does: one `n8n execute` of Manual Trigger -> Chatbot Leads for each
 * vendor with the option on, then an active Chatbot Leads Trigger under `n8n start` (a new lead
 * comes out with its conversation). Checks each vendor's conversation shape, `matchedBy`, the
 * reasons for `null`, and that a failing conversation endpoint leaves the leads intact. About 3
 * minutes (one minute poll).
 *
 *   node test/e2e/conversations.js    (after npm run build; part of npm run test:e2e)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');
const { createReport } = require('./report');
const s = require('./support');

const r = createReport();
const { note, check, expect } = r;
const MIN = 60_000;
const BOTS = {
	chatbase: { chatbotId: 'e2e-conv-chatbase' },
	chatzuri: { chatbotId: 'e2e-conv-chatzuri' },
	chatofAi: { chatbotId: 'e2e-conv-chatof' },
	robofy: { chatbotId: 'e2e-conv-robofy', projectId: 404 },
};
const FAILING = { chatbotId: 'e2e-conv-failing' };
const label = (vendor) => s.VENDORS.find((v) => v.vendor === vendor).label;
const ago = (ms) => new Date(Date.now() - ms).toISOString();
const options = { includeConversation: true };

function leadsWorkflow() {
	const nodes = [s.manualTriggerNode()];
	const names = [];
	s.VENDORS.forEach(({ vendor }, index) => {
		const { chatbotId, projectId } = BOTS[vendor];
		names.push(`${label(vendor)} leads`);
		nodes.push(s.leadsNode({ name: names[index], vendor, chatbotId, projectId, options, position: [220, index * 160] }));
	});
	nodes.push(s.leadsNode({ name: 'Failing conversations', vendor: 'chatzuri', chatbotId: FAILING.chatbotId, options, position: [220, 700] }));
	return { id: 'e2eConversations', name: 'E2E Include Conversation', nodes, connections: s.connect('Manual Trigger', ...names, 'Failing conversations') };
}

const TRIGGER_BOT = 'e2e-conv-trigger';
const TRIGGER_WORKFLOW = 'e2eConvTrigger00';

function triggerWorkflow() {
	const trigger = s.triggerNode({ vendor: 'chatbase', chatbotId: TRIGGER_BOT, options });
	return { id: TRIGGER_WORKFLOW, name: 'E2E Include Conversation: trigger', nodes: [trigger, s.noOpNode()], connections: s.connect('Chatbot Leads Trigger', 'Received') };
}

async function seed(sim) {
	const add = async (vendor, chatbotId, leads, projectId) => await sim.admin('POST', '/leads', { vendor, chatbotId, projectId, leads });
	const talk = async (vendor, chatbotId, conversation, projectId) => (await sim.admin('POST', '/conversations', { vendor, chatbotId, projectId, conversation })).body.conversation;
	const made = {};
	for (const vendor of ['chatbase', 'chatzuri']) {
		const { chatbotId } = BOTS[vendor];
		made[vendor] = await talk(vendor, chatbotId, { createdAt: ago(30 * MIN), customer: 'ada@example.com', messages: [{ role: 'user', content: 'Do you ship?' }, { role: 'assistant', content: 'Yes' }] });
		await talk(vendor, chatbotId, { createdAt: ago(50 * MIN), customer: 'twice@example.com' });
		await talk(vendor, chatbotId, { createdAt: ago(40 * MIN), customer: 'twice@example.com' });
		await add(vendor, chatbotId, [
			{ name: 'Ada', email: 'ada@example.com', createdAt: ago(20 * MIN) },
			{ name: 'Twice', email: 'twice@example.com', createdAt: ago(20 * MIN) },
		]);
	}
	await add('chatofAi', BOTS.chatofAi.chatbotId, [{ name: 'Ada', email: 'ada@example.com', createdAt: ago(20 * MIN) }]);
	const robofy = BOTS.robofy;
	made.robofy = await talk('robofy', robofy.chatbotId, { id: 'sess-e2e-1', createdAt: ago(30 * MIN), messages: [{ role: 'user', content: 'Price?' }] }, robofy.projectId);
	await add('robofy', robofy.chatbotId, [{ name: 'Ada', email: 'ada@example.com', sessionId: 'sess-e2e-1', createdAt: ago(20 * MIN) }], robofy.projectId);
	await add('chatzuri', FAILING.chatbotId, [{ name: 'Grace', email: 'grace@example.com', createdAt: ago(20 * MIN) }]);
	await sim.admin('POST', '/faults', { vendor: 'chatzuri', fault: { kind: 'status', status: 403, times: 'Infinity', match: { pathRegex: 'get-conversations', chatbotId: FAILING.chatbotId } } });
	return made;
}

const byName = (leads, name) => (leads || []).find((lead) => lead.name === name) || {};

async function checkNodeRun(state) {
	const run = await check('n8n execute: Chatbot Leads with Include Conversation, four vendors', async () => {
		const result = await n8n.executeWorkflow(state.home, 'e2eConversations');
		expect(result.status === 'success', `status ${result.status}: ${JSON.stringify(n8n.runError(result))}`);
		return result;
	});
	if (!run) return;
	const made = state.made;
	for (const vendor of ['chatbase', 'chatzuri']) {
		const leads = n8n.nodeOutput(run, `${label(vendor)} leads`);
		await check(`${label(vendor)}: the lead's conversation by email, transcript in one shape; two candidates give null and the reason`, () => {
			const ada = byName(leads, 'Ada').conversation;
			expect(ada && ada.id === made[vendor].id && /customerEmail/.test(ada.matchedBy), JSON.stringify(ada));
			expect(JSON.stringify(ada.messages.map((m) => [m.role, m.text])) === JSON.stringify([['user', 'Do you ship?'], ['assistant', 'Yes']]), JSON.stringify(ada.messages));
			const twice = byName(leads, 'Twice');
			expect(twice.conversation === null && /not guessing/.test(twice.conversationError), JSON.stringify(twice));
		});
	}
	await check('Chatof.ai: conversation null, the reason says there is no API, conversationId kept', () => {
		const ada = byName(n8n.nodeOutput(run, 'Chatof.ai leads'), 'Ada');
		expect(ada.conversation === null && /no API/.test(ada.conversationError) && typeof ada.conversationId === 'string', JSON.stringify(ada));
	});
	await check('Robofy: the session is the conversation (matchedBy conversationId)', () => {
		const ada = byName(n8n.nodeOutput(run, 'Robofy leads'), 'Ada').conversation;
		expect(ada && ada.id === 'sess-e2e-1' && ada.matchedBy === 'conversationId' && ada.messages[0].text === 'Price?', JSON.stringify(ada));
	});
	await check('conversations refused (403): the lead still comes, conversation null with the reason', () => {
		const grace = byName(n8n.nodeOutput(run, 'Failing conversations'), 'Grace');
		expect(grace.email === 'grace@example.com' && grace.conversation === null && /403/.test(grace.conversationError), JSON.stringify(grace));
	});
}

async function waitFor(what, condition, timeoutMs = 150_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
		await s.sleep(2000);
	}
}

const triggerPolls = async (sim) => (await sim.admin('GET', '/requests?vendor=chatbase')).body.requests.filter((q) => q.path === '/get-leads' && q.query.chatbotId === TRIGGER_BOT && q.status !== null);

async function checkTrigger(state) {
	await check('active Chatbot Leads Trigger: a new lead comes out once, with its conversation', async () => {
		await state.sim.admin('POST', '/leads', { vendor: 'chatbase', chatbotId: TRIGGER_BOT, leads: [{ name: 'Before', email: 'before@example.com', createdAt: ago(60 * MIN) }] });
		await n8n.publishWorkflow(state.home, TRIGGER_WORKFLOW);
		state.server = await n8n.startN8n(state.home, {});
		await waitFor('the activation poll', async () => (await triggerPolls(state.sim)).length > 0);
		const conversation = (await state.sim.admin('POST', '/conversations', { vendor: 'chatbase', chatbotId: TRIGGER_BOT, conversation: { createdAt: ago(MIN), customer: 'new@example.com' } })).body.conversation;
		await state.sim.admin('POST', '/leads', { vendor: 'chatbase', chatbotId: TRIGGER_BOT, leads: [{ name: 'New', email: 'new@example.com', createdAt: ago(30_000) }] });
		const emitted = await waitFor('an execution with the new lead', async () => {
			const executions = (await n8n.readExecutions(state.home)).filter((e) => e.workflowId === TRIGGER_WORKFLOW && e.status === 'success');
			const leads = executions.flatMap((e) => n8n.nodeOutput(e, 'Chatbot Leads Trigger') || []);
			return leads.length > 0 ? leads : undefined;
		});
		expect(emitted.length === 1 && emitted[0].name === 'New', `emitted ${JSON.stringify(emitted.map((lead) => lead.name))}`);
		expect(emitted[0].conversation && emitted[0].conversation.id === conversation.id && /customerEmail/.test(emitted[0].conversation.matchedBy), JSON.stringify(emitted[0].conversation));
	});
}

async function main() {
	const state = {};
	await s.runScript(state, r, {
		runCheck: 'the Include Conversation run itself',
		stopServer: async () => {
			if (state.server) await state.server.stop();
			state.server = null;
		},
		keep: process.env.E2E_KEEP === '1',
		steps: async () => {
			n8n.ensureInstalled({ quiet: true });
			state.sim = await s.startSimulator();
			state.made = await seed(state.sim);
			state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-conv-'));
			state.home = n8n.createN8nHome('chatbot-leads-e2e-conv-');
			const tgz = await n8n.packPackage(s.REPO, state.tmp);
			await n8n.installPackedPackage(state.home, tgz);
			await n8n.importCredentials(state.home, s.simulatorCredentials(state.sim));
			await n8n.importWorkflow(state.home, [leadsWorkflow(), triggerWorkflow()]);
			note(`n8n ${n8n.paths().version}, home ${state.home}, simulator ${state.sim.url}`);
			await checkNodeRun(state);
			await checkTrigger(state);
		},
	});
}

main();
