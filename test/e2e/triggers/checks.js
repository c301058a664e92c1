'use strict';

/** An engine run's checks after the fact (gap timing, saved cursors, the worker), its kill -9 rounds, and the tally. */
const s = require('../support');

const { r, POLL_WAIT_MS, KILL_LATENCY_MS, KILL_WINDOW_MS, KILL_ROUNDS, killLeads } = require('./common');

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

/** EngineRun's checks and its kill phase (mixed into EngineRun.prototype). */
const checks = {
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
	},

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
	},

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
	},

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
	},

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
	},

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
	},

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
};

module.exports = { checks, planKill, clusterPolls, countBy, preLeadKey };
