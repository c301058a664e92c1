#!/usr/bin/env node
'use strict';
/**
 * Exactly once through ordinary operations (issue 19), in a real n8n 2.41.1 (default engine:
 * SQLite, one process), the package installed as Settings > Community Nodes does.
 *
 *   node test/e2e/operations.js      (after npm run build; part of npm run test:e2e)
 *   E2E_KEEP=1 / E2E_ECHO=1          keep the n8n home / copy `n8n start` output to stderr
 *
 * One n8n, one vendor simulator, seven active trigger workflows polling every minute, the five
 * scenarios side by side:
 *   a. outage     (Chatbase, Chatof.ai; newest-first) n8n is stopped while 240 leads are captured
 *                 over 72 hours, then started. n8n cannot be stopped for 72 real hours, so the
 *                 vendor's times carry it: the leads the activation remembers end 74 h ago, and
 *                 the outage's leads fill the 72 h after them (18 min apart). The trigger has to
 *                 read more than 50 h of new ground (the old code stopped at "newest lead minus
 *                 the kept period" and lost the oldest part).
 *   b. rename     (Chatof.ai) the trigger node is renamed as the editor does it: same node id, new
 *                 name, saved (PATCH /rest/workflows/:id) and published (POST .../activate)
 *                 through n8n's REST API while n8n runs. n8n keys a node's static data by its name.
 *   c. since      (Chatbase, Chatof.ai) First Poll "Also Existing Leads Since a Date" five days
 *                 back, with 300 leads since that date (and 20 from before it, never emitted).
 *   d. forbidden  (Robofy, Chatbots = All, three chatbots) one chatbot answers 403 (a simulator
 *                 fault matched to its lead path) for two polls: the others' new leads keep
 *                 flowing, an error execution names the failing chatbot, and its leads follow
 *                 once it recovers.
 *   e. late       (Chatzuri, Chatbots = All, List Chatbots Every 2 minutes) a chatbot created
 *                 while the workflow is active, with a lead captured right away (before any list
 *                 shows it): every one of its leads is emitted.
 * Every scenario's leads go on through the outage of (a) (one lead each while n8n is stopped).
 * At the end, per scenario: new / emitted / lost / duplicated, and leads that existed before
 * (or before the date) must never come out. On a failure the trigger's static data is printed.
 * Each check prints `ok - name` or `not ok - name: reason`; the last line is `N passed, N failed`
 * (also appended as `N M` to $TEST_SUMMARY_FILE). About 5-6 minutes with n8n cached.
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');
const { createReport } = require('./report');
const s = require('./support');

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

// ------------------------------------------------------------------------- observations

/**
 * Every execution of the seven workflows, read at most every 3 s and shared by the waiting
 * scenarios: per workflow, the leads its successful executions emitted ({ email, chatbotId,
 * executionId }) and its other finished executions ({ id, status, message }).
 */
async function snapshot() {
	const fresh = state.lastSnapshot && Date.now() - state.lastSnapshot.at < 3000;
	if (!fresh) {
		const at = Date.now();
		state.lastSnapshot = { at, promise: readSnapshot() };
		state.lastSnapshot.promise.catch(() => (state.lastSnapshot = null));
	}
	return await state.lastSnapshot.promise;
}

async function readSnapshot() {
	const out = Object.fromEntries(WORKFLOWS.map((w) => [w.key, { leads: [], failures: [], busy: 0 }]));
	const byId = Object.fromEntries(WORKFLOWS.map((w) => [w.id, w.key]));
	for (const execution of await n8n.readExecutions(state.home)) {
		const entry = out[byId[execution.workflowId]];
		if (!entry) continue;
		if (['new', 'running', 'waiting'].includes(execution.status)) {
			entry.busy += 1;
			continue;
		}
		if (execution.status !== 'success') {
			const error = n8n.runError(execution);
			entry.failures.push({ id: execution.id, status: execution.status, message: error ? String(error.message) : '', error });
			continue;
		}
		const nodes = (execution.workflowData && execution.workflowData.nodes) || [];
		const trigger = nodes.find((node) => node.type === s.TRIGGER_TYPE);
		for (const lead of n8n.nodeOutput(execution, trigger ? trigger.name : 'Chatbot Leads Trigger') || []) {
			entry.leads.push({ email: lead.email, chatbotId: lead.chatbotId, executionId: execution.id });
		}
	}
	return out;
}

/** The simulator's lead requests for one chatbot: [{ at (ms), status, query }]. */
async function requests(w, chatbotId) {
	const { requests: all } = (await state.sim.admin('GET', `/requests?vendor=${w.vendor}`)).body;
	return all
		.filter((q) => !/get-chatbots|\/projects$|\/ai-agent\/chatbot\//.test(q.path))
		.filter((q) => JSON.stringify([q.path, q.query]).includes(chatbotId))
		.map((q) => ({ at: Date.parse(q.at), status: q.status, query: q.query, path: q.path }));
}

async function waitFor(what, condition, timeoutMs = POLL_WAIT_MS) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (state.server && state.server.process.exitCode !== null) throw new Error(`n8n exited while waiting for ${what}`);
		if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
		await s.sleep(2000);
	}
}

/** Waits until a lead request for `chatbotId` that arrived after `afterMs` was answered. */
async function waitForPoll(w, chatbotId, afterMs, what = `a poll of ${chatbotId}`) {
	return await waitFor(what, async () => (await requests(w, chatbotId)).some((q) => q.at > afterMs && q.status !== null));
}

/** Emails of `emails` the workflow has not emitted yet. */
async function notEmitted(w, emails) {
	const got = new Set((await snapshot())[w.key].leads.map((lead) => lead.email));
	return emails.filter((email) => !got.has(email));
}

async function waitForEmitted(w, emails, timeoutMs = POLL_WAIT_MS) {
	let missing = emails;
	try {
		await waitFor(`${emails.length} lead(s) emitted by ${w.label}`, async () => (missing = await notEmitted(w, emails)).length === 0, timeoutMs);
	} catch (error) {
		throw new Error(`${error.message}; ${missing.length} of ${emails.length} never came out (${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''})`);
	}
}

/** No lead came out twice so far, and none that existed before. */
async function expectNoRepeats(w) {
	const { leads } = (await snapshot())[w.key];
	const counts = countBy(leads.map((lead) => lead.email));
	const repeated = [...counts].filter(([, n]) => n > 1).map(([email, n]) => `${email} x${n}`);
	const old = leads.filter((lead) => state.old[w.key].has(lead.email)).map((lead) => lead.email);
	expect(repeated.length === 0, `emitted more than once: ${repeated.length} lead(s) (${repeated.slice(0, 4).join(', ')})`);
	expect(old.length === 0, `leads from before emitted: ${old.length} (${old.slice(0, 4).join(', ')})`);
}

function countBy(values) {
	const counts = new Map();
	for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
	return counts;
}

/** The trigger's static data, shortened for a report (long strings, e.g. the seen ids, by length). */
async function staticDataSummary(w) {
	const data = await n8n.readStaticData(state.home, w.id).catch((error) => ({ error: error.message }));
	const shorten = (value) => {
		if (typeof value === 'string') return value.length > 60 ? `<${value.length} chars>` : value;
		if (Array.isArray(value)) return value.length > 8 ? `<${value.length} items>` : value.map(shorten);
		if (value && typeof value === 'object') {
			const entries = Object.entries(value);
			if (entries.length > 8 && entries.every(([, v]) => typeof v === 'string')) return `<${entries.length} entries>`; // seen-id runs
			return Object.fromEntries(entries.map(([k, v]) => [k, shorten(v)]));
		}
		return value;
	};
	return JSON.stringify(shorten(data));
}

/** Whether every node key of the static data that holds a cursor has one (format-agnostic). */
function savedCursors(data) {
	return Object.entries(data || {})
		.filter(([key, value]) => key.startsWith('node:') && value && value.leadCursor)
		.map(([key]) => key);
}

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

// ---------------------------------------------------------------------------- scenarios

/** After the start: every workflow saved a cursor; only the First Poll date workflows emitted. */
async function checkActivation() {
	return await check('activation: every trigger saved its cursor; only the First Poll date workflows emitted', async () => {
		await waitFor('a saved cursor in every workflow', async () => {
			for (const w of WORKFLOWS) if (savedCursors(await n8n.readStaticData(state.home, w.id)).length === 0) return false;
			return true;
		}, 90_000);
		await s.sleep(3000);
		const snap = await snapshot();
		for (const w of WORKFLOWS.filter((x) => !x.since)) {
			expect(snap[w.key].leads.length === 0, `${w.scenario} (${w.label}): the activation emitted ${snap[w.key].leads.length} leads`);
		}
		return true;
	});
}

/** c. The 300 leads since the date come out once each (over one poll or a few). */
async function scenarioSince() {
	for (const w of [wf.sinceChatbase, wf.sinceChatof]) {
		await check(`c. since a date (${w.label}): all ${SINCE_LEADS} leads since ${state.sinceDay} emitted once each, none from before`, async () => {
			await waitForEmitted(w, state.added[w.key].map((a) => a.email), 3 * MINUTE);
			await expectNoRepeats(w);
		});
	}
	for (const w of [wf.sinceChatbase, wf.sinceChatof]) await addLeads(w, w.bots[0], nowLeads(1), { phase: 'after activation' });
	await check('c. since a date: a lead captured after the activation follows once', async () => {
		for (const w of [wf.sinceChatbase, wf.sinceChatof]) {
			await waitForEmitted(w, state.added[w.key].filter((a) => a.phase === 'after activation').map((a) => a.email));
		}
	});
}

/** b. Rename the trigger node through the REST API, as the editor saves and publishes. */
async function renameTrigger(w) {
	const got = (await state.rest.request('GET', `/workflows/${w.id}`)).body;
	const workflow = got.data || got;
	const trigger = workflow.nodes.find((node) => node.type === s.TRIGGER_TYPE);
	const oldName = trigger.name;
	const nodes = workflow.nodes.map((node) => (node.id === trigger.id ? { ...node, name: RENAMED } : node));
	const connections = Object.fromEntries(Object.entries(workflow.connections).map(([from, c]) => [from === oldName ? RENAMED : from, c]));
	const saved = await state.rest.request('PATCH', `/workflows/${w.id}`, {
		name: workflow.name,
		nodes,
		connections,
		settings: workflow.settings,
		pinData: workflow.pinData || {},
		versionId: workflow.versionId,
		...(workflow.checksum ? { expectedChecksum: workflow.checksum } : {}),
	});
	const savedWorkflow = saved.body.data || saved.body;
	expect(savedWorkflow.versionId && savedWorkflow.versionId !== workflow.versionId, 'saving did not make a new version');
	const published = await state.rest.request('POST', `/workflows/${w.id}/activate`, { versionId: savedWorkflow.versionId });
	const publishedWorkflow = published.body.data || published.body;
	expect(publishedWorkflow.activeVersionId === savedWorkflow.versionId, `the published version is ${publishedWorkflow.activeVersionId}, not ${savedWorkflow.versionId}`);
	const row = await n8n.readWorkflow(state.home, w.id);
	const node = row.nodes.find((n) => n.id === trigger.id);
	expect(node && node.name === RENAMED, `the stored node is named ${node && node.name}`);
	return { nodeId: trigger.id, oldName };
}

async function scenarioRename() {
	const w = wf.rename;
	const bot = w.bots[0];
	const before = await addLeads(w, bot, nowLeads(3), { phase: 'before the rename' });
	const ok = await check('b. rename: three new leads emitted before the rename', async () => {
		await waitForEmitted(w, before);
		return true;
	});
	if (!ok) return;
	const renamedAt = Date.now();
	const renamed = await check(`b. rename: the trigger node renamed to "${RENAMED}" (same id), saved and published through the REST API`, () => renameTrigger(w));
	if (!renamed) return;
	note(`b. rename: "${renamed.oldName}" -> "${RENAMED}" (node id ${renamed.nodeId}) published`);
	// The publish re-activates the workflow: its activation poll runs with the new name.
	await check('b. rename: the re-activation polled the chatbot', () => waitForPoll(w, bot, renamedAt, 'the poll after the publish'));
	const after = await addLeads(w, bot, nowLeads(2), { phase: 'after the rename' });
	await check('b. rename: new leads after the rename are emitted, nothing emitted before is repeated', async () => {
		await waitForEmitted(w, after);
		await expectNoRepeats(w);
	});
}

/** d. Chatbots = All on Robofy: one chatbot answers 403 for two polls. */
async function scenarioForbidden() {
	const w = wf.forbidden;
	const others = w.bots.filter((b) => b !== FORBIDDEN_BOT);
	await state.sim.admin('POST', '/faults', {
		vendor: 'robofy',
		fault: { kind: 'status', status: 403, times: 'Infinity', match: { pathRegex: `/${FORBIDDEN_BOT}$` } },
	});
	const faultAt = Date.now();
	state.forbiddenSince = faultAt;
	for (const bot of w.bots) await addLeads(w, bot, nowLeads(1), { phase: 'while one chatbot fails' });
	const flowing = await check(`d. one chatbot 403: the other chatbots' new leads are emitted while "${FORBIDDEN_BOT}" answers 403`, async () => {
		await waitFor(`a 403 for ${FORBIDDEN_BOT}`, async () => (await requests(w, FORBIDDEN_BOT)).some((q) => q.at > faultAt && q.status === 403));
		await waitForEmitted(w, state.added[w.key].filter((a) => others.includes(a.chatbotId)).map((a) => a.email));
		return true;
	});
	// A second failing poll, with new leads again.
	const secondAt = Date.now();
	for (const bot of w.bots) await addLeads(w, bot, nowLeads(1), { phase: 'while one chatbot fails' });
	await check('d. one chatbot 403: on a second failing poll, the others\' new leads are emitted again', async () => {
		await waitFor(`a second failing poll of ${FORBIDDEN_BOT}`, async () => (await requests(w, FORBIDDEN_BOT)).some((q) => q.at > secondAt && q.status === 403));
		await waitForEmitted(w, state.added[w.key].filter((a) => others.includes(a.chatbotId)).map((a) => a.email), flowing ? POLL_WAIT_MS : 10_000);
	});
	const failingPolls = clusters((await requests(w, FORBIDDEN_BOT)).filter((q) => q.at > faultAt && q.status === 403));
	await check(`d. one chatbot 403: an error execution names "${FORBIDDEN_BOT}"`, async () => {
		const failures = await waitFor('an error execution of the All workflow', async () => {
			const list = (await snapshot())[w.key].failures;
			return list.length ? list : false;
		}, 30_000);
		const naming = failures.filter((f) => f.message.includes(FORBIDDEN_BOT));
		expect(naming.length > 0, `no error execution names it: ${failures.map((f) => JSON.stringify(f.message)).join('; ')}`);
		note(`d. error execution ${naming[0].id}: ${naming[0].message}`);
	});
	await check(`d. one chatbot 403: one error execution for the failure spell, not one per poll (${failingPolls} failing polls)`, async () => {
		const failures = (await snapshot())[w.key].failures.filter((f) => f.message.includes(FORBIDDEN_BOT));
		expect(failures.length === 1, `${failures.length} error executions name it`);
	});
	await state.sim.admin('DELETE', '/faults');
	note(`d. the 403 fault is cleared after ${failingPolls} failing polls`);
	await check(`d. one chatbot 403: once "${FORBIDDEN_BOT}" answers again, its leads follow; nothing repeated`, async () => {
		await waitForEmitted(w, state.added[w.key].map((a) => a.email));
		await expectNoRepeats(w);
	});
}

/** How many polls a list of requests makes: more than 5 s apart starts a new one. */
function clusters(list) {
	let count = 0;
	let last = -Infinity;
	for (const q of list) {
		if (q.at - last > 5000) count += 1;
		last = q.at;
	}
	return count;
}

/** e. A Chatzuri chatbot created while the workflow (All, list every 2 minutes) is active. */
async function scenarioLate() {
	const w = wf.late;
	const createdAt = Date.now();
	await state.sim.admin('POST', '/chatbots', { vendor: 'chatzuri', chatbotId: LATE_BOT, name: `Agent ${LATE_BOT}` });
	// Captured right away: before any poll lists the new chatbot.
	await addLeads(w, LATE_BOT, nowLeads(2), { phase: 'before it was listed' });
	await addLeads(w, w.bots[0], nowLeads(1), { phase: 'old chatbot' });
	const listed = await check(`e. chatbot created: "${LATE_BOT}" is listed and polled`, () =>
		waitFor(`a poll of ${LATE_BOT}`, async () => (await requests(w, LATE_BOT)).some((q) => q.at > createdAt && q.status !== null), 4 * MINUTE),
	);
	if (!listed) return;
	note(`e. ${LATE_BOT} first polled ${Math.round(((await requests(w, LATE_BOT))[0].at - createdAt) / 1000)} s after it was created`);
	const more = await addLeads(w, LATE_BOT, nowLeads(1), { phase: 'after it was listed' });
	await check('e. chatbot created: its leads captured before and after the first list that showed it are emitted, once each', async () => {
		await waitForEmitted(w, [...state.added[w.key].map((a) => a.email), ...more]);
		await expectNoRepeats(w);
	});
}

// ------------------------------------------------------------------------------ outage

async function outage() {
	await stopServer();
	const stoppedAt = Date.now();
	note('a. outage: n8n stopped');
	await check('a. outage: while n8n is stopped, every workflow has a saved cursor', async () => {
		for (const w of WORKFLOWS) {
			const keys = savedCursors(await n8n.readStaticData(state.home, w.id));
			expect(keys.length > 0, `${w.scenario} (${w.label}): no saved cursor: ${await staticDataSummary(w)}`);
		}
	});

	// a. 240 leads over the 72 h after the cursor's newest lead (vendor times).
	const times = Array.from({ length: OUTAGE_LEADS }, (_, i) => state.outageBase + (i + 1) * OUTAGE_STEP_MS);
	for (const w of [wf.outageChatbase, wf.outageChatof]) await addLeads(w, w.bots[0], times, { phase: 'outage' });
	await check('a. outage: the leads captured during the outage span 72 h of new ground after the cursor\'s newest lead (more than 50 h)', async () => {
		for (const w of [wf.outageChatbase, wf.outageChatof]) {
			const stored = (await state.sim.admin('GET', `/leads?vendor=${w.vendor}&chatbotId=${w.bots[0]}`)).body.leads;
			const at = stored.map((lead) => Date.parse(lead.created_at)).sort((x, y) => x - y);
			const newestOld = at[11];
			const oldest = at[12];
			const newest = at[at.length - 1];
			expect(at.length === 12 + OUTAGE_LEADS, `${w.label}: ${at.length} leads stored`);
			expect(newestOld === state.outageBase, `${w.label}: the remembered leads end at ${iso(newestOld)}`);
			expect(newest - oldest > 50 * HOUR && newest - newestOld >= 72 * HOUR, `${w.label}: the outage's leads span ${((newest - oldest) / HOUR).toFixed(1)} h`);
		}
		note(`a. outage: ${OUTAGE_LEADS} leads from ${iso(times[0])} to ${iso(times[times.length - 1])} (vendor times; the cursor's newest is ${iso(state.outageBase)})`);
	});
	// Every other scenario's chatbots capture a lead meanwhile too.
	for (const w of WORKFLOWS.filter((x) => x.scenario !== 'a. outage')) {
		const bots = w.key === 'late' ? [...w.bots, LATE_BOT] : w.bots;
		for (const bot of bots) await addLeads(w, bot, [Date.now() - 1000], { phase: 'outage' });
	}
	await s.sleep(Math.max(0, 5000 - (Date.now() - stoppedAt)));
	const restartAt = Date.now();
	await startServer();
	await check('a. outage: after the start, every lead captured during the outage is emitted, in every workflow', async () => {
		await Promise.all(WORKFLOWS.map((w) => waitForEmitted(w, state.added[w.key].filter((a) => a.phase === 'outage').map((a) => a.email), 3 * MINUTE)));
	});
	await check('a. outage: the polls after the start asked the vendor for the outage\'s first day (Chatbase startDate, Chatof.ai start_date)', async () => {
		const firstDay = dayOf(times[0]);
		for (const w of [wf.outageChatbase, wf.outageChatof]) {
			const after = (await requests(w, w.bots[0])).filter((q) => q.at > restartAt);
			const froms = after.map((q) => q.query.startDate || q.query.start_date || '');
			expect(after.length > 0, `${w.label}: no request after the start`);
			expect(froms.some((d) => d === '' || d <= firstDay), `${w.label}: the earliest day asked for is ${froms.filter(Boolean).sort()[0]}, the outage began on ${firstDay}`);
		}
	});
}

// ------------------------------------------------------------------------------ tally

async function finalPollAndTally() {
	await check('one more poll after everything arrived (for late repeats)', async () => {
		const at = Date.now();
		await waitForPoll(wf.outageChatbase, wf.outageChatbase.bots[0], at, 'the final poll');
		await waitForPoll(wf.forbidden, FORBIDDEN_BOT, at, 'the final poll (All)');
		await s.sleep(5000);
		await waitFor('the executions to finish', async () => Object.values(await readSnapshot()).every((x) => x.busy === 0), 60_000);
	});
	state.lastSnapshot = null;
	const snap = await snapshot();
	const rows = [];
	for (const w of WORKFLOWS) {
		const { leads, failures } = snap[w.key];
		const counts = countBy(leads.map((lead) => lead.email));
		const added = state.added[w.key];
		const lost = added.filter((a) => !counts.has(a.email));
		const duplicated = added.filter((a) => counts.get(a.email) > 1);
		const old = leads.filter((lead) => state.old[w.key].has(lead.email) || !added.some((a) => a.email === lead.email));
		const wrongBot = leads.filter((lead) => {
			const a = added.find((x) => x.email === lead.email);
			return a && lead.chatbotId !== undefined && String(lead.chatbotId) !== a.chatbotId;
		});
		const row = { w, newLeads: added.length, emitted: added.length - lost.length, lost, duplicated, old, failures, wrongBot };
		rows.push(row);
		await check(`${w.scenario} (${w.label}): each of ${added.length} new leads emitted exactly once; no lead from before`, async () => {
			const problems = [];
			if (lost.length) problems.push(`${lost.length} lost (${describeLeads(lost)})`);
			if (duplicated.length) problems.push(`${duplicated.length} duplicated (${describeLeads(duplicated)})`);
			if (old.length) problems.push(`${old.length} leads from before emitted (${old.slice(0, 3).map((x) => x.email).join(', ')})`);
			if (wrongBot.length) problems.push(`${wrongBot.length} with the wrong chatbotId`);
			if (problems.length) problems.push(`static data: ${await staticDataSummary(w)}`);
			expect(problems.length === 0, problems.join('; '));
		});
		const allowed = w.key === 'forbidden' ? failures.filter((f) => !f.message.includes(FORBIDDEN_BOT)) : failures;
		await check(`${w.scenario} (${w.label}): no failed execution${w.key === 'forbidden' ? ` but the ones naming "${FORBIDDEN_BOT}"` : ''}`, () => {
			expect(allowed.length === 0, allowed.map((f) => `execution ${f.id} ${f.status}: ${f.message}`).join('; '));
		});
	}
	note('scenario: new leads / emitted / lost / duplicated / leads from before emitted');
	printTable(rows);
}

/** Lost or duplicated leads, by phase, with the range of their vendor times. */
function describeLeads(list) {
	const byPhase = new Map();
	for (const a of list) byPhase.set(a.phase, [...(byPhase.get(a.phase) || []), a]);
	return [...byPhase]
		.map(([phase, items]) => {
			const times = items.map((a) => a.createdAtMs).sort((x, y) => x - y);
			return `${phase}: ${items.length}, captured ${iso(times[0])}..${iso(times[times.length - 1])}`;
		})
		.join('; ');
}

function printTable(rows) {
	const header = ['scenario', 'workflow', 'new', 'emitted', 'lost', 'duplicated', 'from before'];
	const lines = rows.map((x) => [x.w.scenario, x.w.label, String(x.newLeads), String(x.emitted), String(x.lost.length), String(x.duplicated.length), String(x.old.length)]);
	s.printTable(header, lines);
}

// ---------------------------------------------------------------------------------- main

async function main() {
	await s.runScript(state, r, {
		runCheck: 'the operations end-to-end run itself',
		stopServer,
		keep: KEEP,
		steps: async () => {
			await setUp();
			await startServer();
			await check('REST API: owner set up and logged in', logIn);
			if (!(await checkActivation())) return;
			// b., c., d. and e. side by side while n8n runs; then the outage of a. for everyone.
			await Promise.all([scenarioRename(), scenarioSince(), scenarioForbidden(), scenarioLate()]);
			await outage();
			await finalPollAndTally();
			await stopServer();
		},
	});
}

main();
