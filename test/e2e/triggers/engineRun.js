'use strict';

/** One engine's run of the scenario: its n8n, simulators, workflows, leads and phases. */
const n8n = require('../../../scripts/n8n/lib');
const { ENGINES, createEngine } = require('../../../scripts/n8n/engines');
const s = require('../support');

const { ECHO, r, POLL_WAIT_MS, ROWS, UTC8_OFFSET_MINUTES, PHASES, phaseOf, wholeSecond, leadEmail, workflowIdTicking, waitForSecond } = require('./common');
const { checks, preLeadKey } = require('./checks');

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
}

Object.assign(EngineRun.prototype, checks);

module.exports = { EngineRun };
