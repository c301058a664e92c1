'use strict';
/** The operations scenarios' settings, workflows and shared state, and adding leads. */
const { createReport } = require('../report');
const s = require('../support');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const r = createReport();
const { note, check, expect } = r;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const POLL_WAIT_MS = 150_000; // a minute poll, with slow starts
const OUTAGE_LEADS = 240;
const OUTAGE_STEP_MS = 18 * MINUTE; // 240 x 18 min = 72 h
const SINCE_LEADS = 300;
const ROBOFY_PROJECT = 7719;
const FORBIDDEN_BOT = 'ops-403-b';
const LATE_BOT = 'ops-late-new';
const RENAMED = 'New Leads (renamed)';

/** The workflows: one per scenario and vendor. `bots` are the chatbots it watches at the start. */
const WORKFLOWS = [
	{ key: 'outageChatbase', scenario: 'a. outage', vendor: 'chatbase', label: 'Chatbase', id: 'opsOutageChatbas', bots: ['ops-outage-chatbase'] },
	{ key: 'outageChatof', scenario: 'a. outage', vendor: 'chatofAi', label: 'Chatof.ai', id: 'opsOutageChatof0', bots: ['ops-outage-chatof'] },
	{ key: 'rename', scenario: 'b. rename', vendor: 'chatofAi', label: 'Chatof.ai', id: 'opsRenameChatof0', bots: ['ops-rename-chatof'] },
	{ key: 'sinceChatbase', scenario: 'c. since a date', vendor: 'chatbase', label: 'Chatbase', id: 'opsSinceChatbase', bots: ['ops-since-chatbase'], since: true },
	{ key: 'sinceChatof', scenario: 'c. since a date', vendor: 'chatofAi', label: 'Chatof.ai', id: 'opsSinceChatof00', bots: ['ops-since-chatof'], since: true },
	{ key: 'forbidden', scenario: 'd. one chatbot 403', vendor: 'robofy', label: 'Robofy, All', id: 'opsForbiddenRbfy', bots: ['ops-403-a', FORBIDDEN_BOT, 'ops-403-c'], all: true },
	{ key: 'late', scenario: 'e. chatbot created', vendor: 'chatzuri', label: 'Chatzuri, All', id: 'opsLateChatzuri0', bots: ['ops-late-a', 'ops-late-b'], all: true, listEveryMinutes: 2 },
];
const wf = Object.fromEntries(WORKFLOWS.map((w) => [w.key, w]));

// ------------------------------------------------------------------------------ workflows

function triggerParameters(w, sinceDay) {
	const parameters = { pollTimes: { item: [{ mode: 'everyMinute' }] }, provider: w.vendor };
	if (w.all) parameters.chatbotScope = 'all';
	else Object.assign(parameters, s.chatbotParameters(w.vendor, w.bots[0]));
	if (w.since) Object.assign(parameters, { firstPoll: 'emitSince', emitSince: `${sinceDay}T00:00:00` });
	parameters.options = w.listEveryMinutes ? { listEveryMinutes: w.listEveryMinutes } : {};
	return parameters;
}

function workflowJson(w, sinceDay) {
	return {
		id: w.id,
		name: `E2E operations ${w.scenario} (${w.label})`,
		nodes: [
			{
				id: `ops-trigger-${w.key}`,
				name: 'Chatbot Leads Trigger',
				type: s.TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: triggerParameters(w, sinceDay),
				credentials: s.credentialRef(w.vendor),
			},
			s.noOpNode('Received'),
		],
		connections: s.connect('Chatbot Leads Trigger', 'Received'),
	};
}

// ------------------------------------------------------------------------------ state

const state = {
	added: Object.fromEntries(WORKFLOWS.map((w) => [w.key, []])), // { email, chatbotId, phase, createdAtMs }
	old: Object.fromEntries(WORKFLOWS.map((w) => [w.key, new Set()])), // emails that must never come out
	lastSnapshot: null,
};
let leadNumber = 0;

const iso = (ms) => new Date(ms).toISOString();
const dayOf = (ms) => iso(ms).slice(0, 10);

/** Adds leads to one chatbot of a workflow: `times` are capture instants (ms). Returns their emails. */
async function addLeads(w, chatbotId, times, { phase, old = false } = {}) {
	const leads = times.map((at) => {
		leadNumber += 1;
		return { createdAt: iso(at), name: `Ops Lead ${leadNumber}`, email: `ops-${leadNumber}.${w.key.toLowerCase()}@e2e.example.com`, phone: `+1555${String(leadNumber).padStart(7, '0')}` };
	});
	const body = { vendor: w.vendor, chatbotId, leads };
	if (w.vendor === 'robofy') body.projectId = ROBOFY_PROJECT;
	await state.sim.admin('POST', '/leads', body);
	for (const [i, lead] of leads.entries()) {
		if (old) state.old[w.key].add(lead.email);
		else state.added[w.key].push({ email: lead.email, chatbotId, phase, createdAtMs: times[i] });
	}
	return leads.map((lead) => lead.email);
}

const nowLeads = (count) => Array.from({ length: count }, (_, i) => Date.now() - (count - i) * 1000);

module.exports = { KEEP, ECHO, r, MINUTE, HOUR, DAY, POLL_WAIT_MS, OUTAGE_LEADS, OUTAGE_STEP_MS, SINCE_LEADS, ROBOFY_PROJECT, FORBIDDEN_BOT, LATE_BOT, RENAMED, WORKFLOWS, wf, triggerParameters, workflowJson, state, leadNumber, iso, dayOf, addLeads, nowLeads, note, check, expect };
