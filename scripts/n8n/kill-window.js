#!/usr/bin/env node
'use strict';
/**
 * What a hard kill does between n8n's two writes for a poll that emits: the trigger's cursor and
 * the execution. A demonstration that prints what happened, not a test (the outcome in queue
 * mode is n8n's, not the node's).
 *
 *   npm run build && node scripts/n8n/kill-window.js [queue|scheduler-cursors-pg]   (~2 min each)
 *
 * On Postgres it holds an ACCESS EXCLUSIVE lock on execution_entity (a second connection, through
 * n8n's own `pg`), adds a lead, waits for the poll that fetches it, then kill -9s main while its
 * execution insert waits for the lock; releases the lock, starts main again and waits for two
 * polls. It prints whether the lead is in the saved cursor at the kill and how often it was
 * emitted afterwards:
 *   queue                 default poller, cursor in static data, written apart from the execution
 *   scheduler-cursors-pg  durable scheduler + durable cursors on Postgres: one transaction
 * The lock only widens a window that is normally a few milliseconds wide.
 */
const childProcess = require('child_process');
const path = require('path');

const n8n = require('./lib');
const { ENGINES, createEngine } = require('./engines');
const s = require('../../test/e2e/support');

const PROFILES = {
	queue: ENGINES.queue,
	'scheduler-cursors-pg': { ...ENGINES['scheduler-cursors'], name: 'scheduler-cursors-pg', title: 'n8n 2.41.1, durable scheduler + durable cursors, Postgres', postgres: true },
};

// Run by Node 24 with the n8n install's `pg`: BEGIN; LOCK ...; then ROLLBACK when stdin closes.
const LOCKER = `
const { Client } = require(require('path').join(process.argv[1], 'node_modules', 'pg'));
(async () => {
	const c = new Client({ host: '127.0.0.1', port: Number(process.argv[2]), user: 'postgres', database: process.argv[3] });
	await c.connect(); await c.query('BEGIN'); await c.query('LOCK TABLE execution_entity IN ACCESS EXCLUSIVE MODE');
	process.stdout.write('locked\\n');
	process.stdin.resume();
	process.stdin.on('end', async () => { await c.query('ROLLBACK'); await c.end(); process.exit(0); });
})().catch((e) => { console.error(e); process.exit(1); });`;

async function waitForAnsweredPoll(sim, afterMs, count = 1) {
	for (;;) {
		const { requests } = (await sim.admin('GET', '/requests')).body;
		if (requests.filter((q) => Date.parse(q.at) > afterMs && q.status !== null).length >= count) return;
		await s.sleep(500);
	}
}

async function main() {
	const which = process.argv[2] || 'queue';
	const profile = PROFILES[which];
	if (!profile) throw new Error(`usage: kill-window.js [${Object.keys(PROFILES).join('|')}]`);
	const t0 = Date.now();
	const note = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${m}`);
	const sim = await s.startSimulator();
	const engine = await createEngine(profile);
	let locker;
	try {
		note(engine.describe());
		await sim.admin('POST', '/generate', { vendor: 'chatbase', chatbotId: 'bot1', count: 10, start: new Date(Date.now() - 30 * 60000).toISOString(), stepMs: 3 * 60000 });
		await engine.installPackage(await n8n.packPackage(s.REPO));
		await engine.importCredentials(s.simulatorCredentials(sim));
		const wf = { id: 'killWindow000001', name: 'kill window', nodes: [s.triggerNode({ vendor: 'chatbase', chatbotId: 'bot1' }), s.noOpNode('Received')], connections: s.connect('Chatbot Leads Trigger', 'Received') };
		await engine.importWorkflows([wf]);
		await engine.activate([wf.id]);
		const startedAt = Date.now();
		await engine.start();
		await waitForAnsweredPoll(sim, startedAt);
		await s.sleep(3000);
		note('activated');

		const p = n8n.paths(engine.version);
		locker = childProcess.spawn(p.node24, ['-e', LOCKER, p.installDir, String(engine.postgres.port), 'n8n'], { stdio: ['pipe', 'pipe', 'inherit'] });
		await new Promise((resolve) => locker.stdout.once('data', resolve));
		const addedAt = Date.now();
		const [lead] = (await sim.admin('POST', '/leads', { vendor: 'chatbase', chatbotId: 'bot1', leads: [{ createdAt: new Date().toISOString(), name: 'A', email: 'a@example.com' }] })).body.leads;
		note(`execution_entity locked; added lead ${lead.id}; waiting for the poll that fetches it`);
		await waitForAnsweredPoll(sim, addedAt);
		await s.sleep(4000);
		const durable = await engine.readPollerState(wf.id);
		const staticData = await engine.readStaticData(wf.id);
		const cursor = durable.length ? durable[0].cursor.leadCursor : staticData && staticData['node:Chatbot Leads Trigger'] && staticData['node:Chatbot Leads Trigger'].leadCursor;
		const inCursor = s.seenFingerprints(cursor).has(s.leadFingerprint(lead.id));
		note(`the poll ran; the saved cursor ${inCursor ? 'already holds' : 'does not hold'} the lead; kill -9 of main`);
		await engine.killMain();
		locker.stdin.end();
		await new Promise((resolve) => locker.once('exit', resolve));
		locker = null;
		const restartedAt = Date.now();
		await engine.start();
		await waitForAnsweredPoll(sim, restartedAt, 2);
		await s.sleep(8000);
		const emitted = (await engine.readExecutions(wf.id))
			.filter((e) => e.status === 'success')
			.flatMap((e) => n8n.nodeOutput(e, 'Chatbot Leads Trigger') || [])
			.filter((l) => l.email === 'a@example.com').length;
		note(`${profile.title}: after the restart the lead was emitted ${emitted} time(s) -> ${emitted === 0 ? 'LOST' : emitted === 1 ? 'exactly once' : 'REPEATED'}`);
	} finally {
		if (locker) locker.kill('SIGKILL');
		await engine.tearDown().catch(() => {});
		await sim.stop().catch(() => {});
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
