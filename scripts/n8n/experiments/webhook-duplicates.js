#!/usr/bin/env node
'use strict';
/**
 * Experiment (prints findings, asserts nothing): what does n8n 2.41.1 do when the same webhook
 * event arrives twice, one after the other or at the same moment, and where can a node remember
 * what it already emitted? Evidence for docs/instant-trigger.md, "Delivered once".
 *
 *   npm run build && node scripts/n8n/experiments/webhook-duplicates.js [--queue]
 *
 * Two webhook triggers side by side in active workflows (trigger -> No Op):
 *  - "probe": a minimal community node (written to a temp folder by this script) that dedups
 *    the obvious way: in webhook(), look the event id up in the node's static data; if new,
 *    add it (assigning a new array) and start the workflow.
 *  - ours: the Chatbot Leads Instant Trigger (Chatbase, signed by the simulator).
 * Default: one n8n process (`n8n start`, SQLite). --queue: queue mode with Postgres and Redis
 * (both must be installed), one main, two `n8n webhook` processes and one `n8n worker`; copies
 * are then sent to both webhook processes, as a load balancer would spread them.
 */
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../lib');
const s = require('../../../test/e2e/support');

const QUEUE = process.argv.includes('--queue');
const PROBE = { id: 'expProbeWebhook1', webhookId: '0f1e2d3c-4b5a-4968-8776-655443322101' };
const OURS = { id: 'expOursWebhook01', webhookId: '0f1e2d3c-4b5a-4968-8776-655443322102' };
const log = (msg) => console.log(`# ${msg}`);

// ----------------------------------------------------------------------- the probe node

const PROBE_NODE = `'use strict';
class ProbeTrigger {
	constructor() {
		this.description = {
			displayName: 'Probe Trigger', name: 'probeTrigger', group: ['trigger'], version: 1,
			description: 'Dedups by static data in webhook()', defaults: { name: 'Probe Trigger' },
			inputs: [], outputs: ['main'], properties: [],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		};
	}
	async webhook() {
		const id = String(this.getBodyData().id);
		const data = this.getWorkflowStaticData('node');
		const seen = Array.isArray(data.seen) ? data.seen : [];
		if (seen.includes(id)) return { webhookResponse: { duplicate: id } };
		data.seen = [...seen, id];
		return { workflowData: [[{ json: { id } }]] };
	}
}
module.exports = { ProbeTrigger };
`;

async function packProbe(dir) {
	fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'dist', 'ProbeTrigger.node.js'), PROBE_NODE);
	const manifest = { name: 'n8n-nodes-dedup-probe', version: '0.0.1', main: 'dist/ProbeTrigger.node.js', files: ['dist'], n8n: { n8nNodesApiVersion: 1, nodes: ['dist/ProbeTrigger.node.js'] } };
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
	return n8n.packPackage(dir, dir);
}

function workflows() {
	const probeNode = { id: 'probenode', name: 'Probe Trigger', type: 'n8n-nodes-dedup-probe.probeTrigger', typeVersion: 1, position: [0, 0], webhookId: PROBE.webhookId, parameters: {} };
	return [
		{ id: PROBE.id, name: 'Experiment: probe', nodes: [probeNode, s.noOpNode('Received')], connections: s.connect('Probe Trigger', 'Received') },
		{
			id: OURS.id,
			name: 'Experiment: Chatbot Leads Instant Trigger',
			nodes: [s.instantTriggerNode({ vendor: 'chatbase', chatbotId: 'exp-bot', webhookId: OURS.webhookId }), s.noOpNode('Received')],
			connections: s.connect('Chatbot Leads Instant Trigger', 'Received'),
		},
	];
}

// ------------------------------------------------------------------------- processes

const started = [];

function spawn(label, command, args, env) {
	const child = childProcess.spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	started.push(child);
	return { child, label, output: () => output };
}

function stopAll() {
	for (const child of started) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
	started.length = 0;
}

async function waitForHttp(url, timeoutMs = 120000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await s.httpJson('GET', url, { allowError: true, timeoutMs: 2000 }).catch(() => ({ status: 0 }));
		if (res.status === 200) return;
		if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
		await s.sleep(500);
	}
}

async function waitForWebhook(baseUrl, webhookId) {
	const url = s.instantUrl(baseUrl, webhookId);
	for (let i = 0; i < 240; i++) {
		if ((await s.httpJson('POST', url, { body: { probe: 'registration' }, allowError: true })).status !== 404) return;
		await s.sleep(250);
	}
	throw new Error(`${url} was not registered`);
}

/** Postgres (as the postgres user, private folder, loopback) and Redis, for --queue. */
async function startQueueInfra(dir) {
	const pgPort = n8n.freePortSync();
	const redisPort = n8n.freePortSync();
	const pgBin = '/usr/lib/postgresql/15/bin';
	fs.mkdirSync(dir, { recursive: true });
	fs.chmodSync(path.dirname(dir), 0o755); // the postgres user must reach its folder
	childProcess.execFileSync('chown', ['-R', 'postgres', dir]);
	childProcess.execFileSync('runuser', ['-u', 'postgres', '--', `${pgBin}/initdb`, '-D', `${dir}/data`, '-U', 'postgres', '--auth=trust'], { stdio: 'ignore' });
	spawn('postgres', 'runuser', ['-u', 'postgres', '--', `${pgBin}/postgres`, '-D', `${dir}/data`, '-p', String(pgPort), '-k', dir, '-c', 'listen_addresses=127.0.0.1'], process.env);
	spawn('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);
	for (let i = 0; i < 60; i++) {
		try {
			childProcess.execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', String(pgPort)], { stdio: 'ignore' });
			break;
		} catch {
			await s.sleep(500);
		}
	}
	childProcess.execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', 'n8n']);
	return {
		pgPort,
		env: {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: pgPort,
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: redisPort,
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
		},
	};
}

function psql(pgPort, sql) {
	return childProcess.execFileSync('psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-d', 'n8n', '-tAc', sql], { encoding: 'utf8' }).trim();
}

// ---------------------------------------------------------------------------- runs

/** Finished executions of a workflow (SQLite home, or Postgres in --queue). */
async function executionCount(state, workflowId) {
	if (state.pgPort) return Number(psql(state.pgPort, `SELECT count(*) FROM execution_entity WHERE "workflowId" = '${workflowId}' AND status NOT IN ('new','running','waiting')`));
	return (await n8n.readExecutions(state.home, workflowId, { includeData: false })).filter((e) => !['new', 'running', 'waiting'].includes(e.status)).length;
}

async function settle(state, workflowId, ms = 4000) {
	let last = -1;
	for (;;) {
		await s.sleep(ms / 4);
		const count = await executionCount(state, workflowId);
		if (count === last) return count;
		last = count;
	}
}

const probeBody = (id) => ({ id });
async function postProbe(baseUrl, id) {
	return (await s.httpJson('POST', s.instantUrl(baseUrl, PROBE.webhookId), { body: probeBody(id), allowError: true })).status;
}

async function sendOurs(state, baseUrl, lead, extra = {}) {
	const url = s.instantUrl(baseUrl, OURS.webhookId);
	return (await state.sim.admin('POST', '/webhooks', { vendor: 'chatbase', chatbotId: 'exp-bot', url, lead, store: false, ...extra })).body.webhook;
}

/** The exact bytes of an earlier webhook again (signed the same), to a given webhook process. */
async function redeliverOurs(state, webhook, baseUrl) {
	const url = s.instantUrl(baseUrl, OURS.webhookId);
	return (await state.sim.admin('POST', '/webhooks', { vendor: 'chatbase', url, body: webhook.body, store: false })).body.webhook;
}

const statusOf = (webhook) => webhook.deliveries.map((d) => d.status);

async function probeExperiments(state, [first, second], record) {
	let base = await executionCount(state, PROBE.id);
	const a = [await postProbe(first, 'a')];
	await settle(state, PROBE.id);
	a.push(await postProbe(second, 'a'));
	record('probe: event a, then a again after its execution (the static data column was NULL before a)', a, (await settle(state, PROBE.id)) - base);

	base = await executionCount(state, PROBE.id);
	const b = [await postProbe(first, 'b')];
	await settle(state, PROBE.id);
	b.push(await postProbe(second, 'b'));
	record('probe: event b, then b again after its execution (the workflow has static data now)', b, (await settle(state, PROBE.id)) - base);

	base = await executionCount(state, PROBE.id);
	const together = await Promise.all([postProbe(first, 'c'), postProbe(second, 'c')]);
	record(`probe: 2 copies of event c at the same moment${QUEUE ? ', one to each webhook process' : ''}`, together, (await settle(state, PROBE.id)) - base);

	base = await executionCount(state, PROBE.id);
	const five = await Promise.all(Array.from({ length: 5 }, () => postProbe(first, 'd')));
	record('probe: 5 copies of event d at the same moment, to one process', five, (await settle(state, PROBE.id)) - base);
}

async function ourExperiments(state, [first, second], record) {
	const lead = (n) => ({ name: `Exp ${n}`, email: `exp-${n}@example.com`, conversationId: `exp-${n}` });
	let base = await executionCount(state, OURS.id);
	const one = await sendOurs(state, first, lead(1));
	await settle(state, OURS.id);
	const two = await sendOurs(state, first, lead(2));
	await settle(state, OURS.id);
	const again = await redeliverOurs(state, two, second);
	record(
		`ours: lead 1, lead 2, then lead 2 again after its execution${QUEUE ? ' (to the other webhook process)' : ''}`,
		[one, two, again].flatMap(statusOf),
		(await settle(state, OURS.id)) - base,
	);

	base = await executionCount(state, OURS.id);
	const copies = await sendOurs(state, first, lead(3), { copies: 5, concurrent: true });
	record('ours: 5 copies of lead 3 at the same moment, to one process', statusOf(copies), (await settle(state, OURS.id)) - base);

	if (QUEUE) {
		base = await executionCount(state, OURS.id);
		const template = await sendOurs(state, first, lead(4), { secret: 'not-the-secret' }); // 401: only to get its bytes
		const both = await Promise.all([first, second].map((url) => redeliverOurs(state, template, url)));
		record('ours: 2 copies of lead 4 at the same moment, one to each webhook process', both.flatMap(statusOf), (await settle(state, OURS.id)) - base);
	}
}

async function experiments(state, urls) {
	const record = (what, answers, executions) => console.log(`${what}\n    answers ${JSON.stringify(answers)} -> executions started: ${executions}`);
	await probeExperiments(state, urls, record);
	await ourExperiments(state, urls, record);
}

async function main() {
	const state = {};
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-dup-experiment-'));
	const cleanUp = async () => {
		if (state.server) await state.server.stop().catch(() => {});
		if (state.sim) await state.sim.stop().catch(() => {});
		stopAll();
		n8n.killAll();
		s.killChildren();
		if (state.home) n8n.removeN8nHome(state.home);
		fs.rmSync(tmp, { recursive: true, force: true });
	};
	s.installCleanup(cleanUp);
	try {
		n8n.ensureInstalled({ quiet: true });
		state.sim = await s.startSimulator();
		state.home = n8n.createN8nHome('chatbot-leads-dup-experiment-home-');
		const probeDir = path.join(tmp, 'probe');
		await n8n.installPackedPackage(state.home, await packProbe(probeDir));
		await n8n.installPackedPackage(state.home, await n8n.packPackage(s.REPO, tmp));
		let env = {};
		if (QUEUE) {
			const infra = await startQueueInfra(path.join(tmp, 'pg'));
			env = infra.env;
			state.pgPort = infra.pgPort;
		}
		await n8n.importCredentials(state.home, s.simulatorCredentials(state.sim), { env });
		await n8n.importWorkflow(state.home, workflows(), { env });
		for (const { id } of [PROBE, OURS]) await n8n.publishWorkflow(state.home, id, { env });
		state.server = await n8n.startN8n(state.home, { env });
		let urls = [state.server.url, state.server.url];
		if (QUEUE) {
			const ports = [n8n.freePortSync(), n8n.freePortSync()];
			const p = n8n.paths();
			for (const port of ports) spawn(`webhook ${port}`, p.node24, [p.n8nScript, 'webhook'], n8n.n8nEnv(state.home, { ...env, N8N_PORT: port }));
			spawn('worker', p.node24, [p.n8nScript, 'worker'], n8n.n8nEnv(state.home, { ...env, QUEUE_HEALTH_CHECK_ACTIVE: 'false' }));
			urls = ports.map((port) => `http://127.0.0.1:${port}`);
			for (const url of urls) await waitForHttp(`${url}/healthz`);
			await s.sleep(5000); // the worker connects to Redis
		}
		// Only ours is probed for its registration (it ignores the probe request): a POST to the
		// probe would be its first event, and the first static-data save is the one n8n keeps.
		for (const url of urls) await waitForWebhook(url, OURS.webhookId);
		log(`n8n ${n8n.paths().version}, ${QUEUE ? 'queue mode: main + 2 webhook processes + 1 worker, Postgres, Redis' : 'one process (n8n start), SQLite'}`);
		await experiments(state, urls);
	} finally {
		await cleanUp();
	}
}

main().catch((error) => {
	console.error(`experiment failed: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
