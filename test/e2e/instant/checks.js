'use strict';
/** The checks: Chatbase and Chatzuri webhooks (signed, resent, wrong), Webhook Secret Only, Include Conversation, a restart. */
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { CHATBASE, CHATZURI, UNSIGNED, SECRET_ONLY, SECRET_ONLY_SECRET, WITH_CONVERSATION, TRIGGER_NAME, newLead, send, redeliver, statuses, emitted, expectEmitted, note, check, expect } = require('./common');
const { startServer, stopServer } = require('./server');

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

module.exports = { checkChatbase, checkChatzuri, checkSecretOnly, checkConversation, checkRestartAndSecrets };
