'use strict';
// The queue-mode part of test/e2e/install.js (see its header).
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const n8n = require('../../../scripts/n8n/lib');
const services = require('../../../scripts/n8n/services');
const s = require('../support');

const { CURRENT, ECHO, NODES_NEW, activateWorkflow, addLeads, bodyData, check, createCredential, emittedLeads, expect, expectTypes, note, ownerClient, startServer, state, stopServer, triggerWorkflow, waitForEmails } = require('./common');

// ---------------------------------------------------------------------------------- queue

async function queuePart() {
	const tag = '[queue]';
	const sim = await s.startSimulator();
	state.sims = [...(state.sims || []), sim];
	const postgres = await services.startPostgres();
	state.postgres = postgres;
	const database = await postgres.createDatabase('n8n');
	const redis = await services.startRedis();
	state.redis = redis;
	const env = {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_DATABASE: database,
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_HEALTH_CHECK_ACTIVE: 'false',
		N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
		E2E_TESTS: 'true',
		N8N_COMMUNITY_PACKAGES_REGISTRY: state.verdaccio.url,
		npm_config_cache: path.join(state.tmp, 'npm-cache-queue'),
	};
	const managed = {
		N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: s.PACKAGE, version: CURRENT.version }]),
		N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
	};
	// One ~/.n8n for main and worker, as n8n's docker-compose for queue mode shares one volume.
	const home = n8n.createN8nHome('chatbot-leads-e2e-install-queue-', { env });
	state.homes.push(home);
	note(`${tag} Postgres :${postgres.port}, Redis :${redis.port}, home ${home}`);

	// 1. The env route on its own: n8n 2.41.1 checks the licence before the e2e route can turn it on.
	let server = await startServer(home, managed, 'queue main 1');
	const password = `Install-${crypto.randomBytes(8).toString('hex')}`;
	await server.stop();
	state.servers = state.servers.filter((x) => x !== server);
	const refusal = /Failed to install community package[^\n]*from env[^\n]*/.exec(server.output());
	note(`${tag} main started with N8N_COMMUNITY_PACKAGES and the Verdaccio registry: ${refusal ? `n8n says "${refusal[0].slice(0, 240)}"` : 'no install failure logged'}`);
	const onDisk = fs.existsSync(path.join(home, '.n8n', 'nodes', 'node_modules', s.PACKAGE, 'package.json'));

	// 2. Put the package in place with the Install endpoint when the env route could not.
	let credential;
	let workflowId;
	await check(`${tag} ${s.PACKAGE}@${CURRENT.version} in the shared nodes folder (${onDisk ? 'by N8N_COMMUNITY_PACKAGES at startup' : 'by POST /rest/community-packages, the env route being refused without the licence'}); a trigger workflow saved`, async () => {
		server = await startServer(home, {}, 'queue main 2');
		const rest = await ownerClient(server, { password });
		if (!onDisk) {
			const res = await rest.request('POST', '/community-packages', { name: s.PACKAGE, version: CURRENT.version }, { allowError: true });
			expect(res.status === 200, `install: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
		}
		await expectTypes(server, rest, NODES_NEW);
		credential = await createCredential(rest, { name: 'Chatzuri account', type: 'chatzuriApi', data: { apiKey: sim.keys.chatzuri, baseUrl: sim.baseUrls.chatzuri } });
		const row = { key: 'chatzuri', vendor: 'chatzuri', label: 'Chatzuri', chatbotId: 'e2e-install-queue' };
		await sim.admin('POST', '/generate', { vendor: row.vendor, chatbotId: row.chatbotId, count: 5, start: new Date(Date.now() - 30 * 60 * 1000).toISOString(), stepMs: 5 * 60 * 1000 });
		const wf = triggerWorkflow(row, credential, ' (queue mode)');
		workflowId = bodyData(await rest.request('POST', '/workflows', { settings: { executionOrder: 'v1' }, active: false, ...wf })).id;
		expect(workflowId, 'no workflow id');
		await stopServer(server);
	});
	if (!workflowId) return;

	// 3. Worker, then main, both with N8N_COMMUNITY_PACKAGES (managed by env) and the registry.
	let worker;
	const rowQ = { key: 'chatzuri', vendor: 'chatzuri', label: 'Chatzuri', chatbotId: 'e2e-install-queue' };
	const log = [];
	const ran = await check(`${tag} worker and main started with N8N_COMMUNITY_PACKAGES=[${s.PACKAGE}@${CURRENT.version}] (managed by env); the trigger's new leads are emitted`, async () => {
		worker = await n8n.startN8nWorker(home, { env: managed, echo: ECHO ? '[queue worker] ' : false, timeoutMs: 240000 });
		state.workers.push(worker);
		server = await startServer(home, managed, 'queue main 3');
		expect(!/Failed to (install|update) community package/.test(server.output()), `main: ${(/Failed to[^\n]*/.exec(server.output()) || [''])[0]}`);
		const rest = await ownerClient(server, { setup: false, password });
		const refused = await rest.request('POST', '/community-packages', { name: s.PACKAGE }, { allowError: true });
		note(`${tag} with N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV the Install endpoint answers HTTP ${refused.status}`);
		await activateWorkflow(rest, workflowId);
		await s.sleep(5000);
		const emails = await addLeads(sim, rowQ, 'queue', 3, log);
		await waitForEmails(home, workflowId, emails);
		return true;
	});
	if (ran) {
		await check(`${tag} every trigger execution ran on the worker, with no "Unrecognized node type" in its log; each lead once`, async () => {
			const executions = await n8n.readExecutions(home, workflowId, { includeData: false });
			const onWorker = new Set([...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]));
			const elsewhere = executions.map((e) => e.id).filter((id) => !onWorker.has(id));
			expect(executions.length > 0, 'no executions');
			expect(elsewhere.length === 0, `executions not in the worker's log: ${elsewhere.join(', ')}`);
			expect(!/Unrecognized node type/.test(worker.output() + server.output()), '"Unrecognized node type" in the log');
			const { leads, failures } = await emittedLeads(home, workflowId);
			expect(failures.length === 0, failures.join('; '));
			const ids = leads.map((l) => l.id);
			expect(new Set(ids).size === ids.length && leads.length === log.length, `emitted ${leads.length} (${new Set(ids).size} distinct) of ${log.length}`);
			note(`${tag} worker ${worker.pid} ran all ${executions.length} trigger executions`);
		});
	}
}

module.exports = { queuePart };
