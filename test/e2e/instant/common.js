'use strict';
/** The Instant Trigger e2e's workflows and credentials, and sending webhooks and reading what was emitted. */
const n8n = require('../../../scripts/n8n/lib');
const { createReport } = require('../report');
const s = require('../support');

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

module.exports = { KEEP, ECHO, r, CHATBASE, CHATZURI, UNSIGNED, SECRET_ONLY, SECRET_ONLY_SECRET, WITH_CONVERSATION, WORKFLOWS, TRIGGER_NAME, workflow, SECRET_ONLY_CREDENTIAL, unsignedCredential, leadCounter, newLead, send, redeliver, statuses, emitted, expectEmitted, note, report, check, expect };
