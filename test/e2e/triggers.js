#!/usr/bin/env node
'use strict';
/**
 * Exactly once in every way n8n runs a polling trigger (issue 11): the Chatbot Leads Trigger in
 * real n8n instances, one per engine (scripts/n8n/engines.js), all engines at the same time.
 *
 *   node test/e2e/triggers.js --engines=default,scheduler-cursors,queue    (build first)
 *   E2E_KEEP=1  keeps the n8n homes;  E2E_ECHO=1  copies n8n's output to stderr
 *   E2E_RESULTS_FILE=x.json  writes the engine x chatbot figures as JSON
 *
 * Per engine: its own vendor simulator (and a second one whose Robofy clock writes zone-less
 * times 8 hours behind UTC, issue 12), 30 leads over the last 90 minutes on every watched chatbot,
 * five active trigger workflows polling every minute (Chatbase, Chatzuri, Chatof.ai, Robofy,
 * Robofy UTC-8 with the default Time Zone option), then, new leads in each phase:
 *   gap     3 leads right after the activation poll, before the first scheduled poll
 *   ties    2 leads with one timestamp
 *   late    1 lead with the ties' timestamp (already emitted, inside the look-back) + 1 newer
 *   stopped 1 lead added while main is stopped cleanly (SIGTERM), then a start
 *   kill    2 leads, then `kill -9` of main (and its task runners) while the polls that fetch
 *           them are in flight (the simulator holds the answers 25 s), then a start; up to 3
 *           rounds, until every chatbot's poll was in flight at a kill (the kill moment is
 *           planned from the second at which each workflow polls)
 * In queue mode the worker keeps running through every restart, and every trigger execution
 * must have run on it. At the end each new lead must have been emitted exactly once, and no
 * pre-activation lead at all. A repeat after the kill -9 is counted apart and tolerated only
 * where n8n has no atomic cursor + execution save (every engine but durable cursors).
 * Prints the table engine x chatbot -> new / emitted / lost / duplicated, and the usual
 * `ok - ...` lines and `N passed, N failed`. About 9-12 minutes, whatever the number of engines.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');
const { ENGINES, createEngine, durableTickSecond } = require('../../scripts/n8n/engines');
const s = require('./support');
const { createReport } = require('./report');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const r = createReport();

const TRIGGER_NODE_ID = 'ChatbotLeadsTriggerid'; // support.triggerNode's id for its default name
const POLL_WAIT_MS = 150000; // a minute poll, slow starts and the scheduler's claim delay included
const KILL_LATENCY_MS = 25000; // below the node's 30 s request timeout: the poll stays in flight
const KILL_WINDOW_MS = 20000; // polls that arrived up to this long before the kill are still held
const KILL_ROUNDS = 3; // kill rounds at most, until every chatbot's poll was in flight at a kill

/** The watched chatbots: one row of the final table each. `sim` is 'main' or 'utc8'. */
const ROWS = [
	{ key: 'chatbase', vendor: 'chatbase', label: 'Chatbase', sim: 'main', chatbotId: 'e2e-trigger-chatbase', base: 'trgChatbase' },
	{ key: 'chatzuri', vendor: 'chatzuri', label: 'Chatzuri', sim: 'main', chatbotId: 'e2e-trigger-chatzuri', base: 'trgChatzuri' },
	{ key: 'chatofAi', vendor: 'chatofAi', label: 'Chatof.ai', sim: 'main', chatbotId: 'e2e-trigger-chatof', base: 'trgChatofai' },
	{ key: 'robofy', vendor: 'robofy', label: 'Robofy', sim: 'main', chatbotId: 'e2e-trigger-robofy', projectId: 303, base: 'trgRobofy' },
	{
		key: 'robofyUtc8',
		vendor: 'robofy',
		label: 'Robofy, UTC-8 clock',
		sim: 'utc8',
		chatbotId: 'e2e-trigger-robofy-utc8',
		projectId: 304,
		base: 'trgRobofyUtc8',
		credentialVariant: 'UTC-8 account',
	},
];
const UTC8_OFFSET_MINUTES = -480;

/** Which phase each new lead number belongs to. */
const PHASES = { gap: [1, 2, 3], ties: [4, 5], late: [6, 7], stopped: [8] };
const killLeads = (round) => [9 + 2 * (round - 1), 10 + 2 * (round - 1)]; // 9-10, 11-12, 13-14
const phaseOf = (n) => Object.keys(PHASES).find((p) => PHASES[p].includes(n)) || 'kill';

// ------------------------------------------------------------------------------- helpers

const wholeSecond = (ms) => Math.floor(ms / 1000) * 1000;
const leadEmail = (row, n) => `new-${n}.${row.key.toLowerCase()}@e2e.example.com`;

/** A 16-character workflow id (n8n 1.x refuses longer ones) whose durable-scheduler tick is `second`. */
function workflowIdTicking(base, second) {
	for (let k = 0; k < 100000; k++) {
		const id = `${base}${String(k).padStart(16 - base.length, '0')}`;
		if (durableTickSecond(id, TRIGGER_NODE_ID) === second) return id;
	}
	throw new Error(`no workflow id for ${base} ticking at second ${second}`);
}

function parseEngines(argv) {
	const arg = argv.find((a) => a.startsWith('--engines='));
	const names = (arg ? arg.slice('--engines='.length) : process.env.E2E_ENGINES || 'default').split(',').map((x) => x.trim()).filter(Boolean);
	for (const name of names) if (!ENGINES[name]) throw new Error(`unknown engine '${name}' (known: ${Object.keys(ENGINES).join(', ')})`);
	return names;
}

/** Waits until the clock's second is `second` (0-59); returns at once when it is. */
async function waitForSecond(second) {
	const nowSecond = new Date().getUTCSeconds();
	const waitS = (second - nowSecond + 60) % 60;
	if (waitS > 0) await s.sleep(waitS * 1000 - (Date.now() % 1000));
}

// ------------------------------------------------------------------------ one engine run

class EngineRun {
	constructor(name, tickSecond) {
		this.name = name;
		this.profile = ENGINES[name];
		this.tickSecond = tickSecond;
		this.tag = `[${name}]`;
		this.rows = ROWS.map((row) => ({ ...row, workflowId: workflowIdTicking(row.base, tickSecond) }));
		this.added = Object.fromEntries(ROWS.map((row) => [row.key, []])); // { n, email, at (ms), phase }
		this.pre = Object.fromEntries(ROWS.map((row) => [row.key, new Set()]));
		this.killedInFlight = new Set(); // row labels whose poll was in flight at a kill
		this.killRounds = 0;
		this.notes = [];
	}

	note(msg) {
		r.note(`${this.tag} ${msg}`);
	}

	check(name, fn) {
		return r.check(`${this.tag} ${name}`, fn);
	}

	sim(row) {
		return row.sim === 'utc8' ? this.utc8Sim : this.mainSim;
	}

	// ------------------------------------------------------------------------- setup

	async setUp(tgz) {
		this.mainSim = await s.startSimulator();
		this.utc8Sim = await s.startSimulator();
		await this.utc8Sim.admin('POST', '/options', { vendor: 'robofy', options: { clockOffsetMinutes: UTC8_OFFSET_MINUTES } });
		for (const row of this.rows) {
			const res = await this.sim(row).admin('POST', '/generate', {
				vendor: row.vendor,
				chatbotId: row.chatbotId,
				projectId: row.projectId,
				count: 30,
				start: new Date(Date.now() - 90 * 60 * 1000).toISOString(),
				stepMs: 3 * 60 * 1000,
			});
			for (const lead of res.body.leads) this.pre[row.key].add(preLeadKey(row, lead));
		}
		this.engine = await createEngine(this.name, { echo: ECHO });
		this.note(this.engine.describe());
		await this.engine.installPackage(tgz);
		const utc8 = this.rows.find((row) => row.sim === 'utc8');
		await this.engine.importCredentials([
			...s.simulatorCredentials(this.mainSim),
			{
				id: s.credentialId('robofy', utc8.credentialVariant),
				name: `Robofy (${utc8.credentialVariant})`,
				type: 'robofyApi',
				data: { apiKey: this.utc8Sim.keys.robofy, baseUrl: this.utc8Sim.baseUrls.robofy },
			},
		]);
		await this.engine.importWorkflows(
			this.rows.map((row) => ({
				id: row.workflowId,
				name: `E2E ${row.label}: new leads (${this.name})`,
				nodes: [
					s.triggerNode({ vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, credentialVariant: row.credentialVariant || '' }),
					s.noOpNode('Received'),
				],
				connections: s.connect('Chatbot Leads Trigger', 'Received'),
			})),
		);
		await this.engine.activate(this.rows.map((row) => row.workflowId));
	}

	/** engine.start(), remembering when main was ready (its activation polls are before that). */
	async start() {
		const main = await this.engine.start();
		this.readyAt = Date.now();
		return main;
	}

	// ------------------------------------------------------------ simulator observations

	/** The trigger's lead requests for a row, oldest first: [{ at (ms), status }]. */
	async requests(row) {
		const { requests } = (await this.sim(row).admin('GET', `/requests?vendor=${row.vendor}`)).body;
		return requests
			.filter((q) => JSON.stringify([q.path, q.query]).includes(row.chatbotId))
			.map((q) => ({ at: Date.parse(q.at), status: q.status }));
	}

	/** Waits until every row had a lead request arriving after `afterMs` that was answered. */
	async waitForPollAfter(afterMs, { what, timeoutMs = POLL_WAIT_MS } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const pending = [];
			for (const row of this.rows) {
				const seen = (await this.requests(row)).some((q) => q.at > afterMs && q.status !== null);
				if (!seen) pending.push(row.label);
			}
			if (pending.length === 0) return;
			if (this.engine.main && !this.engine.mainRunning()) throw new Error(`n8n main exited while waiting for ${what}`);
			if (Date.now() > deadline) throw new Error(`no poll after ${what} within ${timeoutMs / 1000} s for: ${pending.join(', ')}`);
			await s.sleep(1000);
		}
	}

	/** Waits until no execution of the trigger workflows is new/running (queue: the worker is done). */
	async waitForExecutionsSettled(timeoutMs = 60000) {
		await s.sleep(4000); // the emit, the execution record, a queue job: all a few seconds behind the poll
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			let busy = 0;
			for (const row of this.rows) {
				const executions = await this.engine.readExecutions(row.workflowId, { includeData: false });
				busy += executions.filter((e) => ['new', 'running', 'waiting'].includes(e.status)).length;
			}
			if (busy === 0) return;
			if (Date.now() > deadline) throw new Error(`${busy} trigger executions still unfinished after ${timeoutMs / 1000} s`);
			await s.sleep(1000);
		}
	}

	/** Adds the leads numbered `ns` to every watched chatbot, all at `atMs` or each at its own time. */
	async addLeads(ns, atMs) {
		for (const row of this.rows) {
			const leads = ns.map((n, i) => ({
				createdAt: new Date(Array.isArray(atMs) ? atMs[i] : atMs).toISOString(),
				name: `New Lead ${n}`,
				email: leadEmail(row, n),
				phone: `+1555000${String(n).padStart(4, '0')}`,
			}));
			await this.sim(row).admin('POST', '/leads', { vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, leads });
			for (const [i, n] of ns.entries()) this.added[row.key].push({ n, email: leads[i].email, phase: phaseOf(n), addedAt: Date.now() });
		}
	}

	/**
	 * What the trigger workflows emitted: row key -> [{ email, executionId }] from successful
	 * executions; other finished executions are collected in `failures`.
	 */
	async emitted() {
		const out = {};
		const failures = [];
		this.executionIds = [];
		for (const row of this.rows) {
			out[row.key] = [];
			for (const execution of await this.engine.readExecutions(row.workflowId)) {
				this.executionIds.push(execution.id);
				if (['new', 'running', 'waiting'].includes(execution.status)) continue;
				if (execution.status !== 'success') {
					const error = n8n.runError(execution);
					failures.push(`${row.label} execution ${execution.id}: ${execution.status}${error ? ` (${error.message})` : ''}`);
					continue;
				}
				for (const lead of n8n.nodeOutput(execution, 'Chatbot Leads Trigger') || []) {
					out[row.key].push({ email: lead.email, executionId: execution.id, lead });
				}
			}
		}
		return { byRow: out, failures };
	}

	/** Lead numbers (of `ns`) each row has emitted at least once: row label -> missing numbers. */
	async missing(ns) {
		const { byRow } = await this.emitted();
		const missing = {};
		for (const row of this.rows) {
			const emails = new Set(byRow[row.key].map((e) => e.email));
			const lost = ns.filter((n) => !emails.has(leadEmail(row, n)));
			if (lost.length) missing[row.label] = lost;
		}
		return missing;
	}

	/** After the leads `ns` were added at `addedAt`: wait for one poll (a second when needed). */
	async expectEmitted(ns, addedAt, what) {
		await this.waitForPollAfter(addedAt, { what });
		await this.waitForExecutionsSettled();
		let missing = await this.missing(ns);
		if (Object.keys(missing).length) {
			// One more poll before calling them lost (a vendor may show a lead a poll later).
			await this.waitForPollAfter(Date.now(), { what: `the poll after ${what}` });
			await this.waitForExecutionsSettled();
			missing = await this.missing(ns);
		}
		const text = Object.entries(missing).map(([label, lost]) => `${label}: lead ${lost.join(', ')}`);
		r.expect(text.length === 0, `not emitted after two polls: ${text.join('; ')}`);
	}

	// ------------------------------------------------------------------------- phases

	async run(tgz) {
		await this.setUp(tgz);

		// Start right after the durable scheduler's tick second, so that the activation poll and
		// the leads added after it come well before the first scheduled poll (about 60 s later).
		if (this.profile.durableScheduler) await waitForSecond((this.tickSecond + 1) % 60);
		const startAt = Date.now();
		const main = await this.start();
		this.note(`n8n ${this.profile.version} started in ${main.startupMs} ms`);

		const activated = await this.check('the activation polls ran, nothing emitted', async () => {
			await this.waitForPollAfter(startAt, { what: 'the start (activation poll)', timeoutMs: 90000 });
			await s.sleep(2000); // a Robofy activation poll reads two pages
			const { byRow } = await this.emitted();
			const emittedCount = Object.values(byRow).reduce((sum, list) => sum + list.length, 0);
			r.expect(emittedCount === 0, `the activation emitted ${emittedCount} leads`);
			return true;
		});
		if (!activated) return;

		// gap: right after activation, before the first scheduled poll.
		const gapAt = Date.now();
		await this.addLeads(PHASES.gap, [gapAt - 2000, gapAt - 1000, gapAt]);
		const activationRequests = await Promise.all(this.rows.map((row) => this.requests(row)));
		this.note(`added the gap leads ${((Date.now() - startAt) / 1000).toFixed(0)} s after the start`);
		await this.check('gap: the leads captured after the activation poll are emitted', () => this.expectEmitted(PHASES.gap, gapAt, 'the gap leads'));
		await this.checkGapTiming(gapAt, activationRequests);

		// ties: two leads with one timestamp.
		const tieAt = wholeSecond(Date.now());
		await this.addLeads(PHASES.ties, tieAt);
		await this.check('ties: two new leads with the same timestamp are emitted', () => this.expectEmitted(PHASES.ties, Date.now(), 'the tied leads'));

		// late: a lead with an already-emitted timestamp (inside the look-back), and a newer one.
		const lateAddedAt = Date.now();
		await this.addLeads(PHASES.late, [tieAt, wholeSecond(lateAddedAt)]);
		await this.check('late: a lead with an already-emitted timestamp, and a newer one, are emitted', () =>
			this.expectEmitted(PHASES.late, lateAddedAt, 'the late lead'),
		);

		// stopped: a clean stop of main, a lead while stopped, a start.
		const stopResult = await this.engine.stopMain();
		this.note(`main stopped (${JSON.stringify(stopResult)})`);
		await this.checkSavedCursors();
		await this.addLeads(PHASES.stopped, wholeSecond(Date.now()));
		const restartAt = Date.now();
		const restarted = await this.start();
		this.note(`main started again in ${restarted.startupMs} ms${this.profile.queue ? ' (worker kept running)' : ''}`);
		await this.check('restart: a lead added while main was stopped is emitted after the start', () =>
			this.expectEmitted(PHASES.stopped, restartAt, 'the restart'),
		);

		await this.killPhase();

		await this.check('final: after one more poll, the table below holds (see the exactly-once checks)', async () => {
			await this.waitForPollAfter(Date.now(), { what: 'the final poll' });
			await this.waitForExecutionsSettled();
		});
		if (this.profile.queue) await this.checkWorkerRanExecutions();
	}

	/** Whether the gap leads really came between the activation poll and the first scheduled poll. */
	async checkGapTiming(gapAt, activationRequests) {
		const late = [];
		const delays = [];
		for (const [i, row] of this.rows.entries()) {
			// Polls before the leads were added: requests more than 5 s apart belong to different polls.
			const polls = clusterPolls(activationRequests[i].filter((q) => q.at <= gapAt));
			if (polls !== 1) late.push(`${row.label} (${polls} polls before)`);
			const firstAfter = (await this.requests(row)).find((q) => q.at > gapAt);
			if (firstAfter) delays.push(`${((firstAfter.at - gapAt) / 1000).toFixed(0)} s`);
		}
		if (this.profile.durableScheduler) {
			await this.check('gap timing: the gap leads were added after the activation poll, before the first scheduled poll', () => {
				r.expect(late.length === 0, `not exactly one poll before the gap leads for ${late.join(', ')}: the gap was not exercised`);
			});
		} else if (late.length) {
			this.note(`gap timing: not one poll before the gap leads for ${late.join(', ')} (this engine's activation saves the cursor)`);
		}
		this.note(`gap leads: the next poll came ${delays.join(', ')} after they were added`);
	}

	/**
	 * While main is stopped: the saved cursor (static data, or poller_state with durable cursors)
	 * remembers every lead emitted so far. Where it is read from says where the engine keeps it.
	 */
	async checkSavedCursors() {
		await this.check('stopped: the saved cursor remembers every lead emitted so far', async () => {
			const { byRow } = await this.emitted();
			const where = new Set();
			for (const row of this.rows) {
				const rows = await this.engine.readPollerState(row.workflowId);
				const durable = rows.length && rows[0].cursor && rows[0].cursor.leadCursor;
				const data = await this.engine.readStaticData(row.workflowId);
				const inStatic = data && data['node:Chatbot Leads Trigger'] && data['node:Chatbot Leads Trigger'].leadCursor;
				const cursor = this.profile.atomicCursorSave ? durable : inStatic;
				where.add(this.profile.atomicCursorSave ? 'poller_state' : 'workflow static data');
				if (byRow[row.key].length === 0) continue; // nothing emitted (reported by the phases)
				r.expect(cursor, `${row.label}: no leadCursor saved`);
				const seen = s.seenFingerprints(cursor);
				const missing = byRow[row.key].filter((e) => !seen.has(s.leadFingerprint(e.lead.id))).map((e) => e.email);
				r.expect(missing.length === 0, `${row.label}: emitted leads missing from the saved cursor: ${missing.join(', ')}`);
			}
			this.note(`saved cursors read from ${[...where].join(', ')}`);
		});
	}

	/**
	 * kill -9 of main while polls that fetch new leads are in flight, then a start; in rounds,
	 * until every chatbot's poll was in flight at a kill. The simulator holds each answer for 25 s
	 * (the node waits 30 s), so a poll is in flight for 25 s after its request arrives. Each
	 * round learns the second at which each chatbot polls (n8n's cron: random per activation in
	 * the default engine, seeded by the ids in the durable scheduler) and kills at the moment that
	 * catches most of the chatbots not caught yet.
	 */
	async killPhase() {
		for (let round = 1; round <= KILL_ROUNDS; round++) {
			const uncaught = this.rows.filter((row) => !this.killedInFlight.has(row.label));
			if (!uncaught.length) break;
			const ok = await this.killRound(round, uncaught);
			if (!ok) return;
		}
		const missed = this.rows.filter((row) => !this.killedInFlight.has(row.label)).map((row) => row.label);
		this.note(`kill -9: ${this.killRounds} round(s); ${missed.length ? `never in flight at a kill: ${missed.join(', ')}` : 'every chatbot had a poll in flight at a kill'}`);
	}

	async killRound(round, uncaught) {
		const sims = [this.mainSim, this.utc8Sim];
		const setLatency = (ms) =>
			Promise.all(sims.flatMap((sim) => s.VENDORS.map(({ vendor }) => sim.admin('POST', '/options', { vendor, options: { latencyMs: ms } }))));
		const ns = killLeads(round);
		await this.check(`kill -9 (round ${round}): main is killed while polls with new leads are in flight`, async () => {
			const offsets = await this.pollOffsets(uncaught);
			const killAt = planKill(offsets, Date.now() + 3000);
			const addedAt = Date.now();
			await this.addLeads(ns, [addedAt - 1000, addedAt]);
			await setLatency(KILL_LATENCY_MS);
			await s.sleep(Math.max(0, killAt - Date.now()));
			const inFlight = [];
			for (const row of this.rows) {
				const open = (await this.requests(row)).some((q) => q.at > addedAt && q.status === null);
				if (open) inFlight.push(row.label);
			}
			const result = await this.engine.killMain();
			this.killRounds = round;
			for (const label of inFlight) this.killedInFlight.add(label);
			this.note(`kill -9 of main (${JSON.stringify(result)}), round ${round}, with polls in flight for: ${inFlight.join(', ') || 'none'}`);
			r.expect(inFlight.length > 0, 'no poll was in flight at the kill');
			return true;
		});
		await setLatency(0);
		if (this.engine.main) return false; // the check failed before the kill: main still runs
		const startAt = Date.now();
		const main = await this.start();
		this.note(`main started after the kill in ${main.startupMs} ms${this.profile.queue ? ' (worker kept running)' : ''}`);
		await this.check(`kill -9 (round ${round}): the leads of the killed polls are emitted after the start`, () =>
			this.expectEmitted(ns, startAt, 'the start after the kill'),
		);
		return true;
	}

	/**
	 * When in the minute (ms) each row's scheduled poll arrives, from its polls since main was
	 * last ready (the activation poll comes before that); waits for a poll when none was seen.
	 */
	async pollOffsets(rows) {
		const deadline = Date.now() + POLL_WAIT_MS;
		const offsets = {};
		for (;;) {
			for (const row of rows) {
				if (offsets[row.label] !== undefined) continue;
				const scheduled = (await this.requests(row)).filter((q) => q.at > this.readyAt + 1000);
				if (scheduled.length) offsets[row.label] = scheduled[scheduled.length - 1].at % 60000;
			}
			if (rows.every((row) => offsets[row.label] !== undefined)) return offsets;
			r.expect(Date.now() < deadline, `no scheduled poll seen for ${rows.filter((row) => offsets[row.label] === undefined).map((row) => row.label).join(', ')}`);
			await s.sleep(1000);
		}
	}

	async checkWorkerRanExecutions() {
		await this.check('queue: every trigger execution ran on the worker (its log), the worker ran through every restart', async () => {
			await this.emitted();
			const onWorker = this.engine.workerExecutionIds();
			const elsewhere = this.executionIds.filter((id) => !onWorker.has(id));
			r.expect(this.executionIds.length > 0, 'no trigger executions at all');
			r.expect(elsewhere.length === 0, `executions not in the worker's log: ${elsewhere.join(', ')}`);
			r.expect(this.engine.workers.length === 1 && this.engine.workers[0].process.exitCode === null, 'the worker is not running any more');
			r.expect(!/Unrecognized node type/.test(this.engine.workerOutput()), 'the worker says "Unrecognized node type"');
			this.note(`worker ${this.engine.workers[0].pid} ran all ${this.executionIds.length} trigger executions`);
		});
	}

	// ------------------------------------------------------------------------- tally

	/** Per row: new / emitted / lost / duplicated (kill repeats apart) / pre-activation emitted. */
	async tally() {
		const { byRow, failures } = await this.emitted();
		const rows = [];
		for (const row of this.rows) {
			const got = byRow[row.key];
			const counts = new Map();
			for (const e of got) counts.set(e.email, (counts.get(e.email) || 0) + 1);
			const added = this.added[row.key];
			const lost = added.filter((a) => !counts.has(a.email));
			const repeated = added.filter((a) => (counts.get(a.email) || 0) > 1);
			const killRepeats = repeated.filter((a) => a.phase === 'kill');
			const otherRepeats = repeated.filter((a) => a.phase !== 'kill');
			const preEmitted = got.filter((e) => this.pre[row.key].has(e.email) || !added.some((a) => a.email === e.email));
			rows.push({
				engine: this.name,
				chatbot: row.label,
				newLeads: added.length,
				emitted: added.filter((a) => counts.has(a.email)).length,
				emissions: got.length,
				lost: lost.length,
				lostByPhase: countBy(lost, (a) => a.phase),
				duplicated: otherRepeats.length,
				killRepeats: killRepeats.length,
				repeatExtra: repeated.reduce((sum, a) => sum + counts.get(a.email) - 1, 0),
				unexpected: preEmitted.length,
				inFlightAtKill: this.killedInFlight.has(row.label),
			});
		}
		return { rows, failures };
	}
}

/**
 * The kill moment (epoch ms, not before `earliest`): the end of a KILL_WINDOW_MS window (+1 s
 * margin) that holds the most of the given poll offsets (ms in the minute), i.e. the moment
 * when the most of those polls are in flight together.
 */
function planKill(offsets, earliest) {
	const values = Object.values(offsets);
	let best = { count: -1, end: 0 };
	for (const start of values) {
		const count = values.filter((o) => (o - start + 60000) % 60000 <= KILL_WINDOW_MS - 2000).length;
		if (count > best.count) best = { count, end: (start + KILL_WINDOW_MS) % 60000 };
	}
	// The next time whose offset in the minute is best.end, with the window's start still ahead
	// (the leads and the latency must be in place before the first of those polls arrives).
	let at = earliest - (earliest % 60000) + best.end;
	while (at - KILL_WINDOW_MS < earliest) at += 60000;
	return at;
}

/** How many polls a list of requests (oldest first) makes: a gap over 5 s starts a new one. */
function clusterPolls(requests) {
	let polls = 0;
	let last = -Infinity;
	for (const q of requests) {
		if (q.at - last > 5000) polls++;
		last = q.at;
	}
	return polls;
}

function countBy(list, fn) {
	const out = {};
	for (const x of list) out[fn(x)] = (out[fn(x)] || 0) + 1;
	return out;
}

/** How a pre-activation lead is recognised in the trigger's output: its email (Chatof.ai has no id). */
function preLeadKey(row, record) {
	if (record.email) return record.email;
	const field = (record.lead_data || []).find((f) => f.field_name === 'email');
	return field ? field.field_value : JSON.stringify(record);
}

// --------------------------------------------------------------------------- the table

function printTable(allRows) {
	const header = ['engine', 'chatbot', 'new leads', 'emitted', 'lost', 'duplicated', 'kill -9 repeats', 'old leads emitted'];
	const lines = allRows.map((x) => [
		x.engine,
		x.chatbot,
		String(x.newLeads),
		String(x.emitted),
		x.lost ? `${x.lost} (${Object.entries(x.lostByPhase).map(([p, c]) => `${p} ${c}`).join(', ')})` : '0',
		String(x.duplicated),
		`${x.killRepeats}${x.inFlightAtKill ? '' : ' (not in flight)'}`,
		String(x.unexpected),
	]);
	s.printTable(header, lines);
}

// ---------------------------------------------------------------------------------- main

async function main() {
	const names = parseEngines(process.argv.slice(2));
	const runs = [];
	let tmp;
	s.installCleanup(async (signal) => {
		r.report('the run was not interrupted', new Error(signal));
		r.summarize();
		await cleanUp(runs, tmp);
	});
	try {
		r.note(`engines: ${names.join(', ')}`);
		await r.check(`n8n ${[...new Set(names.map((n) => ENGINES[n].version))].join(' and ')} installed (cache reused when present)`, async () => {
			for (const version of new Set(names.map((n) => ENGINES[n].version))) {
				const started = Date.now();
				n8n.ensureInstalled({ quiet: false, version });
				r.note(`n8n ${version} ready in ${Date.now() - started} ms`);
			}
		});
		r.expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsTrigger', 'ChatbotLeadsTrigger.node.js')), 'dist/ is missing: run npm run build first');
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-triggers-'));
		const tgz = await n8n.packPackage(s.REPO, tmp);
		r.note(`packed ${path.basename(tgz)}`);

		// Durable-scheduler engines tick at different seconds, so their starts do not coincide.
		const seconds = [20, 50, 35, 5, 45];
		names.forEach((name, i) => runs.push(new EngineRun(name, seconds[i % seconds.length])));
		await Promise.all(
			runs.map(async (run, i) => {
				await s.sleep(i * 5000); // spread the CPU-heavy n8n CLI runs a little
				try {
					await run.run(tgz);
				} catch (error) {
					r.report(`${run.tag} the scenario ran to its end`, error);
				}
			}),
		);

		const table = [];
		for (const run of runs) {
			if (!run.engine) continue;
			const { rows, failures } = await run.tally();
			table.push(...rows);
			await run.check('every trigger execution succeeded', () => r.expect(failures.length === 0, failures.join('; ')));
			for (const x of rows) {
				const allowRepeat = !run.profile.atomicCursorSave;
				await run.check(`${x.chatbot}: each of ${x.newLeads} new leads emitted exactly once, no pre-activation lead`, () => {
					r.expect(x.lost === 0, `${x.lost} lost (${JSON.stringify(x.lostByPhase)})`);
					r.expect(x.duplicated === 0, `${x.duplicated} emitted more than once outside the kill -9`);
					r.expect(x.unexpected === 0, `${x.unexpected} pre-activation (or unknown) leads emitted`);
					r.expect(
						x.killRepeats === 0 || allowRepeat,
						`${x.killRepeats} repeated after the kill -9 although ${run.name} saves the cursor with the execution atomically`,
					);
					r.expect(x.repeatExtra - x.duplicated <= x.killRepeats, 'a kill -9 lead was emitted more than twice');
					if (x.killRepeats) r.note(`${run.tag} ${x.chatbot}: ${x.killRepeats} lead(s) repeated after the kill -9 (no atomic save in this engine: tolerated)`);
				});
			}
		}
		r.note('engine x chatbot: new leads / emitted / lost / duplicated (kill -9 repeats apart)');
		printTable(table);
		if (process.env.E2E_RESULTS_FILE) {
			fs.writeFileSync(process.env.E2E_RESULTS_FILE, JSON.stringify({ at: new Date().toISOString(), rows: table }, null, 2));
		}
	} catch (error) {
		r.report('the trigger engine run itself', error);
	} finally {
		await cleanUp(runs, tmp);
	}
	if (!r.isFinished()) process.exitCode = r.summarize() ? 0 : 1;
}

async function cleanUp(runs, tmp) {
	for (const run of runs) {
		if (run.engine) {
			await run.engine.tearDown({ keep: KEEP }).catch((error) => r.note(`${run.tag} teardown: ${error.message}`));
			if (KEEP) r.note(`${run.tag} kept ${run.engine.home}`);
		}
		for (const sim of [run.mainSim, run.utc8Sim]) if (sim) await sim.stop().catch(() => {});
	}
	n8n.killAll();
	s.killChildren();
	if (tmp) n8n.removeN8nHome(tmp);
}

main();
