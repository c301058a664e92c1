'use strict';
/** The 72-hour outage, then the final poll and the tally. */
const n8n = require('../../../scripts/n8n/lib');
const s = require('../support');

const { MINUTE, HOUR, OUTAGE_LEADS, OUTAGE_STEP_MS, FORBIDDEN_BOT, LATE_BOT, WORKFLOWS, wf, state, iso, dayOf, addLeads, note, check, expect } = require('./common');
const { snapshot, readSnapshot, requests, waitFor, waitForPoll, waitForEmitted, countBy, staticDataSummary, savedCursors } = require('./observe');
const { startServer, stopServer } = require('./setup');

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

module.exports = { outage, finalPollAndTally, describeLeads, printTable };
