#!/usr/bin/env node
'use strict';
/**
 * Latency benchmark: from the vendor's POST to the workflow's first node starting, for the
 * Chatbot Leads Instant Trigger (webhook) beside the Chatbot Leads Trigger (polling every
 * minute), in a real n8n 2.41.1. Prints figures; it is not a test and asserts nothing.
 *
 *   npm run bench:instant            (= npm run build && node scripts/bench/instant-latency.js)
 *   node scripts/bench/instant-latency.js [--events 50] [--poll-minutes 4] [--json results.json]
 *   (--json: a relative path is written under $CHATBOT_LEADS_BENCH_DIR, default
 *   <os temp dir>/chatbot-leads-bench, outside the repository; see scripts/bench/output.js)
 *
 * Its own n8n home and simulator. Two published workflows, each "trigger -> No Op (Received)":
 *  - instant: the simulator POSTs `--events` signed Chatbase leads.submit webhooks to the
 *    production URL, one after another with 100-400 ms between them; the time is from just
 *    before the simulator sends each POST (its `sentAt`) to the trigger node's `startTime` in the
 *    execution n8n stored, and to the next node's.
 *  - polling: `--events` leads are added to the simulator's Chatbase API at random moments over
 *    `--poll-minutes`; the time is from the moment each was added (the vendor "captured" it) to
 *    the start of the trigger node in the execution that emitted it.
 * Both clocks are this machine's. Medians, 90th percentiles and ranges are printed; the
 * instant side also prints how long the vendor waited for n8n's answer.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../n8n/lib');
const { benchOutputPath } = require('./output');
const s = require('../../test/e2e/support');

const TRIGGER = 'Chatbot Leads Trigger';
const INSTANT = 'Chatbot Leads Instant Trigger';
const NEXT = 'Received';
const INSTANT_WF = { id: 'benchInstantWf01', chatbotId: 'bench-instant', webhookId: '3e9a1c70-6b2d-4f1e-9a5c-7d8e9f0a1b01' };
const POLL_WF = { id: 'benchPollingWf01', chatbotId: 'bench-polling' };

function parseArgs(argv) {
	const options = { events: 50, pollMinutes: 4, json: undefined };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		const value = () => (inline !== undefined ? inline : argv[++i]);
		if (flag === '--events') options.events = Number(value());
		else if (flag === '--poll-minutes') options.pollMinutes = Number(value());
		else if (flag === '--json') options.json = benchOutputPath(value());
		else throw new Error(`unknown argument ${argv[i]} (see the header of ${__filename})`);
	}
	if (!Number.isInteger(options.events) || options.events < 1) throw new Error('--events must be a positive integer');
	if (!(options.pollMinutes > 0)) throw new Error('--poll-minutes must be positive');
	return options;
}

const log = (msg) => console.log(`# ${msg}`);

function stats(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
	return { n: sorted.length, median, p90: at(0.9), min: sorted[0], max: sorted[sorted.length - 1] };
}

function workflows() {
	const instant = {
		id: INSTANT_WF.id,
		name: 'Bench: instant',
		nodes: [s.instantTriggerNode({ vendor: 'chatbase', chatbotId: INSTANT_WF.chatbotId, webhookId: INSTANT_WF.webhookId }), s.noOpNode(NEXT)],
		connections: s.connect(INSTANT, NEXT),
	};
	const polling = {
		id: POLL_WF.id,
		name: 'Bench: polling every minute',
		nodes: [s.triggerNode({ vendor: 'chatbase', chatbotId: POLL_WF.chatbotId }), s.noOpNode(NEXT)],
		connections: s.connect(TRIGGER, NEXT),
	};
	return [instant, polling];
}

/** For every lead a workflow emitted: its email, and when its trigger node and the next node started. */
async function starts(home, workflowId, triggerName) {
	const out = new Map();
	for (const execution of await n8n.readExecutions(home, workflowId)) {
		const runData = execution.data && execution.data.resultData && execution.data.resultData.runData;
		if (!runData || !runData[triggerName]) continue;
		const triggerStart = runData[triggerName][0].startTime;
		const nextStart = runData[NEXT] ? runData[NEXT][0].startTime : NaN;
		for (const lead of n8n.nodeOutput(execution, triggerName) || []) out.set(lead.email, { triggerStart, nextStart });
	}
	return out;
}

async function waitForLeads(home, workflowId, triggerName, emails, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = await starts(home, workflowId, triggerName);
		if (emails.every((email) => found.has(email))) return found;
		if (Date.now() > deadline) throw new Error(`${workflowId}: ${emails.filter((e) => !found.has(e)).length} leads not emitted within ${timeoutMs / 1000} s`);
		await s.sleep(1000);
	}
}

async function waitForWebhook(url) {
	for (let i = 0; i < 240; i++) {
		if ((await s.httpJson('POST', url, { body: '', allowError: true })).status !== 404) return;
		await s.sleep(250);
	}
	throw new Error(`${url} was not registered`);
}

async function benchInstant(state, events) {
	const url = s.instantUrl(state.server.url, INSTANT_WF.webhookId);
	await waitForWebhook(url);
	const sent = [];
	for (let i = 0; i < events; i++) {
		const lead = { name: `Instant ${i}`, email: `instant-${i}@bench.example.com`, phone: '+1 555 0100', conversationId: `bench-${i}` };
		const res = await state.sim.admin('POST', '/webhooks', { vendor: 'chatbase', chatbotId: INSTANT_WF.chatbotId, url, lead, store: false });
		const delivery = res.body.webhook.deliveries[0];
		if (delivery.status !== 200) throw new Error(`event ${i}: HTTP ${delivery.status} ${JSON.stringify(delivery.body)}`);
		sent.push({ email: lead.email, sentAt: delivery.sentAt, answerMs: delivery.ms });
		await s.sleep(100 + Math.random() * 300);
	}
	const found = await waitForLeads(state.home, INSTANT_WF.id, INSTANT, sent.map((e) => e.email), 120000);
	return sent.map((e) => ({ ...e, trigger: found.get(e.email).triggerStart - e.sentAt, next: found.get(e.email).nextStart - e.sentAt }));
}

/** The polling trigger's activation poll has remembered the (empty) chatbot: leads added now are new. */
async function waitForCursor(home) {
	for (let i = 0; i < 120; i++) {
		const data = await n8n.readStaticData(home, POLL_WF.id);
		if (data && data[`node:${TRIGGER}`] && data[`node:${TRIGGER}`].leadCursor) return;
		await s.sleep(1000);
	}
	throw new Error('the polling trigger saved no cursor after its activation poll');
}

async function benchPolling(state, events, minutes) {
	await waitForCursor(state.home);
	const spanMs = minutes * 60000;
	const offsets = Array.from({ length: events }, () => Math.random() * spanMs).sort((a, b) => a - b);
	const added = [];
	const start = Date.now();
	for (const [i, offset] of offsets.entries()) {
		await s.sleep(Math.max(0, start + offset - Date.now()));
		const lead = { createdAt: new Date().toISOString(), name: `Polled ${i}`, email: `polled-${i}@bench.example.com` };
		const addedAt = Date.now();
		await state.sim.admin('POST', '/leads', { vendor: 'chatbase', chatbotId: POLL_WF.chatbotId, leads: [lead] });
		added.push({ email: lead.email, addedAt });
	}
	log(`polling: ${events} leads added over ${minutes} min; waiting for the polls`);
	const found = await waitForLeads(state.home, POLL_WF.id, TRIGGER, added.map((e) => e.email), 150000);
	return added.map((e) => ({ ...e, trigger: found.get(e.email).triggerStart - e.addedAt, next: found.get(e.email).nextStart - e.addedAt }));
}

function table(instant, polling) {
	const fmt = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
	const row = (label, values) => {
		const st = stats(values);
		return `| ${label} | ${st.n} | **${fmt(st.median)}** | ${fmt(st.p90)} | ${fmt(st.min)} – ${fmt(st.max)} |`;
	};
	return [
		'| from the vendor\'s POST (polling: the lead\'s capture) to … | events | median | 90th percentile | range |',
		'| --- | --- | --- | --- | --- |',
		row('Instant Trigger: the trigger node starting', instant.map((e) => e.trigger)),
		row('Instant Trigger: the next node starting', instant.map((e) => e.next)),
		row('Instant Trigger: n8n\'s answer reaching the vendor', instant.map((e) => e.answerMs)),
		row('Chatbot Leads Trigger (every minute): the trigger node starting', polling.map((e) => e.trigger)),
		row('Chatbot Leads Trigger (every minute): the next node starting', polling.map((e) => e.next)),
	].join('\n');
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const state = {};
	const cleanUp = async () => {
		if (state.server) await state.server.stop().catch(() => {});
		if (state.sim) await state.sim.stop().catch(() => {});
		n8n.killAll();
		s.killChildren();
		for (const dir of [state.home, state.tmp]) if (dir) n8n.removeN8nHome(dir);
	};
	s.installCleanup(cleanUp);
	try {
		n8n.ensureInstalled({ quiet: true });
		state.sim = await s.startSimulator();
		state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-bench-instant-pack-'));
		state.home = n8n.createN8nHome('chatbot-leads-bench-instant-');
		await n8n.installPackedPackage(state.home, await n8n.packPackage(s.REPO, state.tmp));
		await n8n.importCredentials(state.home, s.simulatorCredentials(state.sim));
		await n8n.importWorkflow(state.home, workflows());
		// The polling trigger's chatbot exists (without leads) before its activation poll.
		await state.sim.admin('POST', '/chatbots', { vendor: 'chatbase', chatbotId: POLL_WF.chatbotId });
		for (const { id } of [INSTANT_WF, POLL_WF]) await n8n.publishWorkflow(state.home, id);
		state.server = await n8n.startN8n(state.home);
		log(`n8n ${n8n.paths().version} at ${state.server.url}; ${os.cpus().length} CPUs (${os.cpus()[0].model}), Node ${process.version} here`);

		const instant = await benchInstant(state, options.events);
		log(`instant: ${instant.length} events done`);
		const polling = await benchPolling(state, options.events, options.pollMinutes);
		console.log(`\n${table(instant, polling)}\n`);
		const summary = {
			date: new Date().toISOString(),
			n8n: n8n.paths().version,
			events: options.events,
			pollMinutes: options.pollMinutes,
			instant: { trigger: stats(instant.map((e) => e.trigger)), next: stats(instant.map((e) => e.next)), answer: stats(instant.map((e) => e.answerMs)) },
			polling: { trigger: stats(polling.map((e) => e.trigger)), next: stats(polling.map((e) => e.next)) },
		};
		console.log(`median: instant ${Math.round(summary.instant.trigger.median)} ms, polling ${(summary.polling.trigger.median / 1000).toFixed(1)} s (${Math.round(summary.polling.trigger.median / summary.instant.trigger.median)}x)`);
		if (options.json) {
			fs.writeFileSync(options.json, `${JSON.stringify({ ...summary, raw: { instant, polling } }, null, 2)}\n`);
			log(`results written to ${options.json}`);
		}
	} finally {
		await cleanUp();
	}
}

main().catch((error) => {
	console.error(`bench failed: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
