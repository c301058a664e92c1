'use strict';
/**
 * Part 2: our Chatbot Leads Trigger against the do-it-yourself polling workflows, over one
 * scripted sequence of polls on a Chatbase chatbot, with ties and late arrivals.
 *
 * Time. The sequence runs on a virtual clock placed in the recent past, around the last UTC
 * midnight M that is at least 2 hours ago, so that it can cross midnight without waiting for it.
 * Poll k happens at virtual time P[k]; before it, the leads whose "visible at" time is <= P[k]
 * are added to the simulator (with their own, possibly earlier, created_at: a late arrival).
 *
 * Ours. A real active workflow: the trigger is published, and each poll is one `n8n start`
 * (n8n polls once when it activates the workflow, then would poll every minute), stopped once
 * that poll's execution has finished. Static data (the cursor) is saved and reloaded by n8n
 * itself across these restarts, exactly as across n8n restarts in production. The trigger only
 * uses the clock to cap its watermark at "now"; every lead here is in the past, so running the
 * sequence in the past changes nothing for it. First Poll = "Also existing leads since" the
 * first poll's day, so that it emits the leads that exist at the first poll, as the DIY does.
 *
 * DIY. Schedule Trigger -> HTTP Request -> Split Out -> Remove Duplicates ("Remove Items
 * Processed in Previous Executions"), with the Schedule Trigger replaced by a Manual Trigger
 * and each poll one `n8n execute` (cross-execution de-duplication lives in n8n's database, table
 * processed_data, and works in CLI executions too: checked below by the polls not repeating
 * leads). In the workflow `$now` is replaced by `DateTime.fromISO($env.BENCH_NOW)`, set per
 * execution to P[k]:
 *   todayById:    startDate = {{ $now.toFormat('yyyy-MM-dd') }}, Value Is New, on {{ $json.id }}
 *   afterLastSeen: startDate = yesterday, Value Is a Date Later than Any Previous Date, on
 *                 {{ $json.created_at }}  (the "created_at > last seen" pattern)
 */
const n8n = require('../n8n/lib');
const { executeSampled } = require('./n8n-run');
const wf = require('./workflows');

const MIN = 60_000;
const VENDOR = 'chatbase';
const BOT = 'bench-poll-bot';

/** The last UTC midnight at least `marginMs` before now. */
function anchorMidnight(marginMs) {
	const d = new Date(Date.now() - marginMs);
	return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

const iso = (ms) => new Date(ms).toISOString();
const day = (ms) => iso(ms).slice(0, 10);

/**
 * The scripted sequence: poll times and leads { id, createdAt, visibleAt, kind }.
 * Times are whole seconds (as most vendors report them).
 */
function scenario(M) {
	// Every minute around midnight; then two polls stand for the idle minutes until M + 80 min
	// (a poll with nothing new changes nothing, but the one at M + 70 min moves our cursor on).
	const P = [M - 6 * MIN, M - 5 * MIN, M - 4 * MIN, M - 3 * MIN, M - 1 * MIN, M, M + 2 * MIN, M + 70 * MIN, M + 80 * MIN];
	const leads = [];
	let n = 0;
	const add = (kind, createdAt, visibleAt = createdAt + 1000) => leads.push({ id: `poll_${++n}`, kind, createdAt, visibleAt });
	// Before the first poll: a day's worth of leads (three pages).
	for (let i = 0; i < 250; i++) add('steady', P[0] - 6 * 60 * MIN + i * 85_000);
	// Two leads with the same second, both in before the same poll: no problem for anyone.
	add('tie, same poll', P[0] - 20_000);
	add('tie, same poll', P[0] - 20_000);
	// One new lead before each of the polls around midnight (30 s before it). The one before the
	// midnight poll is created after the last poll of the previous day.
	for (let k = 1; k <= 6; k++) add(P[k] - 30_000 < M && P[k] - 30_000 > P[4] ? 'before midnight' : 'steady', P[k] - 30_000);
	// Same second as a lead the previous poll saw, but in the API only after that poll.
	add('tie, split by a poll', P[1] - 2000, P[1] - 1000);
	add('tie, split by a poll', P[1] - 2000, P[1] + 1000);
	// Shows up 2.5 min late, after newer leads were emitted.
	add('late 2.5 min', P[2] - 2 * MIN, P[2] + 30_000);
	// Created 20 s before midnight, after the last poll of the day.
	add('before midnight', M - 20_000);
	// Created before midnight, shows up 2.5 min late, after midnight.
	add('late 2.5 min, across midnight', M - 90_000, M + 60_000);
	// Leads every 7 minutes until the last poll, on time.
	for (let t = M + 8 * MIN; t <= P[8] - 2 * MIN; t += 7 * MIN) add('steady', t);
	// Very late: 78 minutes (same day) and 150 minutes (previous day), beyond a 60-minute look-back.
	add('very late 78 min, same day', M + MIN, P[8] - MIN);
	add('very late 150 min, previous day', M - 70 * MIN, P[8] - MIN);
	return { P, leads, M };
}

function recordOf(lead) {
	return { id: lead.id, createdAt: new Date(lead.createdAt), name: `Poll ${lead.id}`, email: `${lead.id}@example.com`, phone: null };
}

/** Waits until the trigger's activation poll has produced (or not) its execution, and it finished. */
async function settle(home, workflowId, afterId, server) {
	const deadline = Date.now() + 4000;
	for (;;) {
		const all = await n8n.readExecutions(home, workflowId, { includeData: false, afterId });
		const pending = all.filter((e) => ['new', 'running', 'waiting'].includes(e.status));
		if (all.length > 0 && pending.length === 0) return;
		if (all.length === 0 && Date.now() > deadline) return;
		if (server.process.exitCode !== null) throw new Error(`n8n exited\n${server.output().slice(-3000)}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function runTriggerBench(sim, home, options, log) {
	const M = anchorMidnight(2 * 60 * MIN);
	const { P, leads } = scenario(M);
	log(`polling sequence: ${P.length} polls at ${P.map((t) => iso(t).slice(5, 16)).join(', ')} (UTC, virtual), ${leads.length} leads`);

	sim.reset();
	sim.setOptions(VENDOR, { latencyMs: options.latencyMs });
	sim.addChatbot(VENDOR, BOT);
	const env = { N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false' }; // executions saved (the trigger's output is read from them)
	const now = 'DateTime.fromISO($env.BENCH_NOW)';
	const ids = { ours: 'bpollOurs', todayById: 'bpollToday', afterLastSeen: 'bpollAfter' };
	await n8n.importWorkflow(home, [
		wf.oursTriggerWorkflow(ids.ours, VENDOR, BOT, day(P[0])),
		wf.diyPollWorkflow(ids.todayById, VENDOR, sim, BOT, 'todayById', now),
		wf.diyPollWorkflow(ids.afterLastSeen, VENDOR, sim, BOT, 'afterLastSeen', now),
	]);
	await n8n.publishWorkflow(home, ids.ours);

	const approaches = ['ours', 'todayById', 'afterLastSeen'];
	const emitted = Object.fromEntries(approaches.map((a) => [a, []])); // [{ id, poll }]
	const requests = Object.fromEntries(approaches.map((a) => [a, []])); // per poll
	const added = new Set();
	let lastOursExecution = 0;
	const polls = [];

	for (let k = 0; k < P.length; k++) {
		const visible = leads.filter((l) => l.visibleAt <= P[k] && !added.has(l.id));
		for (const l of visible) added.add(l.id);
		if (visible.length) sim.addLeads(VENDOR, BOT, visible.map(recordOf));
		const poll = { k, at: iso(P[k]), added: visible.length, emitted: {} };

		// Ours: one activation poll of the published workflow.
		sim.clearRequests();
		const server = await n8n.startN8n(home, { env });
		try {
			await settle(home, ids.ours, lastOursExecution, server);
		} finally {
			await server.stop();
		}
		const executions = await n8n.readExecutions(home, ids.ours, { afterId: lastOursExecution });
		const ours = [];
		for (const e of executions) {
			lastOursExecution = Math.max(lastOursExecution, Number(e.id));
			if (e.status !== 'success') throw new Error(`trigger execution ${e.id}: ${e.status}`);
			for (const json of n8n.nodeOutput(e, 'Chatbot Leads Trigger') || []) ours.push(json.id);
		}
		requests.ours.push(sim.requests.filter((r) => r.vendor === VENDOR).length);
		poll.emitted.ours = ours.length;
		for (const id of ours) emitted.ours.push({ id, poll: k });

		// DIY: one execution each, with $now = P[k].
		for (const pattern of ['todayById', 'afterLastSeen']) {
			sim.clearRequests();
			const result = await executeSampled(home, ids[pattern], { env: { ...env, BENCH_NOW: iso(P[k]) } });
			if (result.run.status !== 'success') {
				const error = result.run.data && result.run.data.resultData && result.run.data.resultData.error;
				throw new Error(`${pattern} poll ${k}: ${result.run.status} ${error ? error.message : ''}`);
			}
			const kept = n8n.nodeOutput(result.run, 'Remove Duplicates') || [];
			requests[pattern].push(sim.requests.filter((r) => r.vendor === VENDOR).length);
			poll.emitted[pattern] = kept.length;
			for (const json of kept) emitted[pattern].push({ id: String(json.id), poll: k });
		}
		polls.push(poll);
		log(
			`poll ${k} at ${poll.at.slice(5, 19)}: +${poll.added} leads; emitted ours ${poll.emitted.ours}, ` +
				`todayById ${poll.emitted.todayById}, afterLastSeen ${poll.emitted.afterLastSeen}; requests ` +
				`${requests.ours[k]}/${requests.todayById[k]}/${requests.afterLastSeen[k]}`,
		);
	}

	// Score: every lead should come out exactly once.
	const kinds = [...new Set(leads.map((l) => l.kind))];
	const summary = {};
	for (const a of approaches) {
		const counts = new Map();
		for (const { id } of emitted[a]) counts.set(id, (counts.get(id) || 0) + 1);
		const lost = leads.filter((l) => !counts.has(l.id));
		const duplicated = leads.filter((l) => (counts.get(l.id) || 0) > 1);
		const unknown = [...counts.keys()].filter((id) => !leads.some((l) => l.id === id));
		summary[a] = {
			emitted: emitted[a].length,
			unique: counts.size,
			lost: lost.length,
			duplicated: duplicated.reduce((n, l) => n + counts.get(l.id) - 1, 0),
			unknown: unknown.length,
			requests: requests[a].reduce((x, y) => x + y, 0),
			requestsPerPoll: requests[a],
			lostByKind: Object.fromEntries(kinds.map((kind) => [kind, lost.filter((l) => l.kind === kind).length])),
			lostIds: lost.map((l) => `${l.id} (${l.kind})`),
		};
	}
	return {
		vendor: VENDOR,
		anchorMidnight: iso(M),
		polls,
		pollTimes: P.map(iso),
		leads: leads.length,
		kinds: Object.fromEntries(kinds.map((kind) => [kind, leads.filter((l) => l.kind === kind).length])),
		summary,
	};
}

module.exports = { runTriggerBench, scenario };
