'use strict';
/** The scenarios that run while n8n runs: activation, since, rename, forbidden, late. */
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { MINUTE, POLL_WAIT_MS, SINCE_LEADS, FORBIDDEN_BOT, LATE_BOT, RENAMED, WORKFLOWS, wf, state, addLeads, nowLeads, note, check, expect } = require('./common');
const { snapshot, requests, waitFor, waitForPoll, waitForEmitted, expectNoRepeats, savedCursors } = require('./observe');

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

module.exports = { checkActivation, scenarioSince, renameTrigger, scenarioRename, scenarioForbidden, clusters, scenarioLate };
