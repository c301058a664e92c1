#!/usr/bin/env node
'use strict';
/**
 * Installed and upgraded the way users do it (issue 22): n8n's Community Nodes endpoints (what
 * Settings > Community Nodes > Install / Update / Uninstall call) against a real npm registry,
 * 0.1.0 to the current version with live workflows, and queue mode.
 *
 *   npm run build && node test/e2e/install.js      (part of npm run test:e2e:engines)
 *   E2E_KEEP=1 / E2E_ECHO=1                       keep the n8n homes / copy n8n's output to stderr
 *   E2E_INSTALL_PARTS=upgrade,queue,npm            run only some parts (default: all three)
 *
 * Registry: Verdaccio 6.8.0 from npm (scripts/n8n/registry.js) on loopback, no uplinks, temp
 * storage; this package's 0.1.0, built from its commit in git history, then the current version
 * (`latest`) are published to it with `npm publish`, and it is stopped at the end.
 *
 * upgrade (n8n 2.41.1, SQLite): n8n runs with N8N_COMMUNITY_PACKAGES_REGISTRY=<Verdaccio> and
 *   E2E_TESTS=true; the licence feature a custom registry needs is turned on through n8n's e2e
 *   route (../shared/n8n-real-install.md). POST /rest/community-packages installs 0.1.0 by name;
 *   its two nodes and four credentials appear; credentials (REST, tested) and two active
 *   Chatbot Leads Trigger workflows (Chatbase, Robofy) emit new leads with 0.1.0's v1 cursor.
 *   Then leads are added before, during and after PATCH /rest/community-packages (Update, to
 *   `latest`): each is emitted exactly once (counted by lead id over every execution); the
 *   workflows stay active, the 0.1.0 credentials still test OK, the cursor becomes v2 (the new
 *   code runs), the three nodes appear. An Instant Trigger workflow answers a signed Chatbase
 *   webhook, and again after one more Update. DELETE (Uninstall) leaves /healthz answering;
 *   a fresh install by name gets the current version.
 * queue (n8n 2.41.1, Postgres, Redis, one worker sharing the main's ~/.n8n as in n8n's
 *   docker-compose for queue mode): main and worker run with
 *   N8N_COMMUNITY_PACKAGES=[{name, version: <current>}] and N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV
 *   and the registry variable; the trigger's executions run on the worker with no
 *   "Unrecognized node type". n8n 2.41.1 checks the licence for a custom registry before its
 *   e2e route exists, so the env route cannot download from Verdaccio at startup: the package
 *   is put in place by the Install endpoint on a first start, and the env-managed start then
 *   finds it at the declared version (both noted in the output).
 * npm: every `npm install n8n-nodes-chatbot-leads…` line of the README runs against Verdaccio in
 *   an empty folder and installs the current version alone; the same without
 *   --legacy-peer-deps asks the registry for n8n-workflow (why the README's lines carry it).
 *
 * Prints `ok - …` / `not ok - …` and `N passed, N failed`. About 6-8 minutes with n8n cached.
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');
const registry = require('../../scripts/n8n/registry');
const services = require('../../scripts/n8n/services');
const { createReport } = require('./report');
const s = require('./support');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const PARTS = new Set((process.env.E2E_INSTALL_PARTS || 'upgrade,queue,npm').split(',').map((p) => p.trim()));
const r = createReport();
const { note, check, expect } = r;

const OLD_VERSION = '0.1.0';
const CURRENT = JSON.parse(fs.readFileSync(path.join(s.REPO, 'package.json'), 'utf8'));
const CUSTOM_REGISTRY_FEATURE = 'feat:communityNodes:customRegistry';
const TRIGGER_NAME = 'Chatbot Leads Trigger';
const INSTANT_NAME = 'Chatbot Leads Instant Trigger';
const POLL_WAIT_MS = 150000;

const NODES_OLD = [s.NODE_TYPE, s.TRIGGER_TYPE];
const NODES_NEW = [s.NODE_TYPE, s.TRIGGER_TYPE, s.INSTANT_TYPE];
const CREDENTIAL_TYPES = s.VENDORS.map((v) => v.credentialType);
// The current version's credentials as package.json registers them (0.2.0 adds the webhook-only one).
const CREDENTIAL_TYPES_NEW = CURRENT.n8n.credentials.map((file) => path.basename(file, '.credentials.js').replace(/^./, (c) => c.toLowerCase()));

/** The watched chatbots of the upgrade part: one workflow each. */
const WATCHED = [
	{ key: 'chatbase', vendor: 'chatbase', label: 'Chatbase', chatbotId: 'e2e-install-chatbase' },
	{ key: 'robofy', vendor: 'robofy', label: 'Robofy', chatbotId: 'e2e-install-robofy', projectId: 404 },
];

const state = { homes: [], servers: [], workers: [] };

// ------------------------------------------------------------------------------- helpers

const bodyData = (res) => (res.body && res.body.data !== undefined ? res.body.data : res.body);

/** A logged-in REST client on a fresh n8n (owner set up), with the custom-registry feature on. */
async function ownerClient(server, { setup = true, email = 'install-owner@example.com', password } = {}) {
	const rest = new s.N8nRestClient(server.url);
	if (setup) await rest.setupOwner({ email, password });
	rest.cookie = '';
	await rest.login(email, password);
	expect(rest.cookie, 'no auth cookie after login');
	const res = await s.httpJson('PATCH', `${server.url}/rest/e2e/feature`, { body: { feature: CUSTOM_REGISTRY_FEATURE, enabled: true } });
	expect(res.status === 200, `PATCH /rest/e2e/feature: HTTP ${res.status}`);
	return rest;
}

/** Node type names and credential type names n8n serves to the editor right now. */
async function knownTypes(server, rest) {
	// n8n rewrites these files after an install; read in between, they may not be JSON yet.
	const get = async (urlPath) => {
		for (let attempt = 1; ; attempt++) {
			const res = await s.httpJson('GET', `${server.url}${urlPath}`, { headers: { cookie: rest.cookie, 'browser-id': rest.browserId }, allowError: true, timeoutMs: 60000 });
			if (res.status === 200 && Array.isArray(res.body)) return res.body.map((t) => t.name);
			expect(attempt < 20, `GET ${urlPath}: HTTP ${res.status}, ${typeof res.body === 'string' ? res.body.slice(0, 120) : typeof res.body}`);
			await s.sleep(500);
		}
	};
	return { nodes: await get('/types/nodes.json'), credentials: await get('/types/credentials.json') };
}

async function expectTypes(server, rest, nodes, { absent = [] } = {}) {
	const types = await knownTypes(server, rest);
	const ours = types.nodes.filter((n) => n.startsWith(`${s.PACKAGE}.`));
	expect(nodes.every((n) => ours.includes(n)), `nodes served: ${JSON.stringify(ours)}, expected ${JSON.stringify(nodes)}`);
	expect(absent.every((n) => !ours.includes(n)), `nodes served: ${JSON.stringify(ours)}, none of ${JSON.stringify(absent)} expected`);
	const wanted = absent.length > 0 ? CREDENTIAL_TYPES : CREDENTIAL_TYPES_NEW;
	const creds = wanted.filter((c) => types.credentials.includes(c));
	expect(creds.length === wanted.length, `credential types served: ${JSON.stringify(creds)} of ${JSON.stringify(wanted)}`);
	return ours;
}

/** POST /rest/credentials (as the credential dialog saves one). Resolves { id, name, type }. */
async function createCredential(rest, { name, type, data }) {
	const res = await rest.request('POST', '/credentials', { name, type, data });
	const created = bodyData(res);
	expect(created && created.id, `POST /rest/credentials: ${JSON.stringify(res.body).slice(0, 300)}`);
	return { id: created.id, name, type };
}

/** The credential dialog's Test of a saved credential: its stored data (secrets redacted) sent back. */
async function testCredential(rest, credential) {
	const saved = bodyData(await rest.request('GET', `/credentials/${credential.id}?includeData=true`));
	const answer = await rest.testCredential({ id: credential.id, name: credential.name, type: credential.type, data: saved.data });
	expect(answer && answer.status === 'OK', `${credential.name}: ${JSON.stringify(answer)}`);
}

/** POST /rest/workflows, then POST /rest/workflows/:id/activate (the editor's Publish/Activate). */
async function createActiveWorkflow(rest, workflow) {
	const res = await rest.request('POST', '/workflows', { settings: { executionOrder: 'v1' }, connections: {}, active: false, ...workflow });
	const created = bodyData(res);
	expect(created && created.id && created.versionId, `POST /rest/workflows: ${JSON.stringify(res.body).slice(0, 300)}`);
	await activateWorkflow(rest, created.id, created.versionId);
	return created.id;
}

async function activateWorkflow(rest, id, versionId) {
	if (!versionId) versionId = bodyData(await rest.request('GET', `/workflows/${id}`)).versionId;
	const res = await rest.request('POST', `/workflows/${id}/activate`, { versionId }, { allowError: true });
	expect(res.status === 200, `activate ${id}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
}

async function isActive(rest, id) {
	const wf = bodyData(await rest.request('GET', `/workflows/${id}`));
	return Boolean(wf.active || wf.activeVersionId);
}

function credentialRefOf(credential) {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}

function triggerWorkflow(row, credential, suffix = '') {
	const node = s.triggerNode({ vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId });
	node.credentials = credentialRefOf(credential);
	return {
		name: `New ${row.label} leads${suffix}`,
		nodes: [node, s.noOpNode('Received')],
		connections: s.connect(TRIGGER_NAME, 'Received'),
	};
}

/** The leads a trigger workflow emitted: [{ id, email, executionId }], failed executions apart. */
async function emittedLeads(home, workflowId, nodeName = TRIGGER_NAME) {
	const leads = [];
	const failures = [];
	for (const execution of await n8n.readExecutions(home, workflowId)) {
		if (['new', 'running', 'waiting'].includes(execution.status)) continue;
		if (execution.status !== 'success') {
			const error = n8n.runError(execution);
			failures.push(`execution ${execution.id}: ${execution.status}${error ? ` (${error.message})` : ''}`);
			continue;
		}
		for (const lead of n8n.nodeOutput(execution, nodeName) || []) leads.push({ id: lead.id, email: lead.email, executionId: execution.id });
	}
	return { leads, failures };
}

/** Adds leads to a watched chatbot; returns their emails. */
async function addLeads(sim, row, tag, count, log) {
	const now = Date.now();
	const leads = Array.from({ length: count }, (_, i) => ({
		createdAt: new Date(now - (count - 1 - i) * 1000).toISOString(),
		name: `Install ${tag} ${i + 1}`,
		email: `install-${tag}-${i + 1}.${row.key}@e2e.example.com`,
		phone: `+1555020${String(i + 1).padStart(4, '0')}`,
	}));
	await sim.admin('POST', '/leads', { vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, leads });
	for (const lead of leads) log.push({ row: row.key, phase: tag, email: lead.email, addedAt: now });
	return leads.map((l) => l.email);
}

/** Waits until every email is among a workflow's emitted leads (or the timeout). */
async function waitForEmails(home, workflowId, emails, timeoutMs = POLL_WAIT_MS, nodeName = TRIGGER_NAME) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { leads } = await emittedLeads(home, workflowId, nodeName);
		const have = new Set(leads.map((l) => l.email));
		const missing = emails.filter((e) => !have.has(e));
		if (!missing.length) return;
		if (Date.now() > deadline) throw new Error(`not emitted within ${timeoutMs / 1000} s: ${missing.join(', ')}`);
		await s.sleep(1000);
	}
}

function leadCursorOf(staticData) {
	const nodeData = staticData && staticData[`node:${TRIGGER_NAME}`];
	return nodeData && nodeData.leadCursor;
}

function cursorVersion(cursor) {
	if (!cursor) return null;
	return cursor.version || cursor.v || null;
}

async function startServer(home, env, tag) {
	const server = await n8n.startN8n(home, { env, echo: ECHO ? `[${tag}] ` : false, timeoutMs: 240000 });
	state.servers.push(server);
	return server;
}

async function stopServer(server) {
	state.servers = state.servers.filter((x) => x !== server);
	return server.stop();
}

/** Waits until POSTing to an Instant Trigger's production URL no longer answers 404. */
async function waitForWebhook(url, timeoutMs = 60000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await s.httpJson('POST', url, { body: '', allowError: true });
		if (res.status !== 404) return;
		if (Date.now() > deadline) throw new Error(`${url}: still 404 after ${timeoutMs / 1000} s`);
		await s.sleep(250);
	}
}

// --------------------------------------------------------------------------- the registry

async function setUpRegistry() {
	n8n.ensureInstalled({ quiet: false });
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsInstantTrigger', 'ChatbotLeadsInstantTrigger.node.js')), 'dist/ is missing: run npm run build first');
	expect(CURRENT.version !== OLD_VERSION, `package.json still says ${OLD_VERSION}`);
	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-install-'));
	let started = Date.now();
	state.verdaccio = await registry.startVerdaccio();
	note(`Verdaccio ${registry.VERDACCIO_VERSION} on ${state.verdaccio.url} (pid ${state.verdaccio.pid}), ready in ${Date.now() - started} ms (install included when not cached)`);

	await check(`${s.PACKAGE} ${OLD_VERSION} (built from its commit) and ${CURRENT.version} are published to Verdaccio with npm publish; latest is ${CURRENT.version}`, async () => {
		started = Date.now();
		const old = await registry.packRelease(OLD_VERSION, state.tmp);
		note(`built and packed ${OLD_VERSION} from ${old.commit.slice(0, 7)} in ${Date.now() - started} ms (${old.files} files, ${old.size} bytes)`);
		const current = await n8n.packPackage(s.REPO, state.tmp);
		started = Date.now();
		await state.verdaccio.publish(old.tgz);
		await state.verdaccio.publish(current);
		note(`npm publish of both versions took ${Date.now() - started} ms`);
		const view = await state.verdaccio.view(s.PACKAGE);
		expect(JSON.stringify(view.versions) === JSON.stringify([OLD_VERSION, CURRENT.version]), `versions ${JSON.stringify(view.versions)}`);
		expect(view['dist-tags'].latest === CURRENT.version, `latest is ${view['dist-tags'].latest}`);
	});
}

// ------------------------------------------------------------------------ npm install lines

/** Runs an `npm install …` command line in an empty folder against Verdaccio. */
async function npmInstallIn(commandLine) {
	const dir = fs.mkdtempSync(path.join(state.tmp, 'npm-line-'));
	const args = commandLine.trim().split(/\s+/).slice(1); // after `npm`
	const userconfig = path.join(dir, '.npmrc-empty');
	fs.writeFileSync(userconfig, '');
	const result = await registry.run('npm', args, {
		cwd: dir,
		env: registry.cleanNpmEnv({ npm_config_registry: `${state.verdaccio.url}/`, npm_config_cache: path.join(dir, '.npm-cache'), npm_config_userconfig: userconfig }),
		allowFailure: true,
		timeoutMs: 180000,
	});
	const installed = (name) => {
		try {
			return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
		} catch {
			return null;
		}
	};
	return { ...result, ours: installed(s.PACKAGE), workflow: installed('n8n-workflow') };
}

async function npmLinesPart() {
	const readme = fs.readFileSync(path.join(s.REPO, 'README.md'), 'utf8');
	const lines = [...new Set(readme.match(/npm install n8n-nodes-chatbot-leads[^`\n]*/g) || [])].map((l) => l.replace(/[\s.,;)]+$/, ''));
	await check(`the README's npm install lines agree: ${lines.map((l) => `\`${l}\``).join(', ')}`, () => {
		expect(lines.length >= 2, `found ${lines.length} lines`);
		const flags = new Set(lines.map((l) => l.split(/\s+/).filter((w) => w.startsWith('--')).sort().join(' ')));
		expect(flags.size === 1 && [...flags][0].includes('--legacy-peer-deps'), `the lines differ in their flags: ${[...flags].join(' | ')}`);
		const pins = readme.match(/n8n-nodes-chatbot-leads@\d+\.\d+\.\d+/g) || [];
		const wrong = pins.filter((p) => p !== `${s.PACKAGE}@${CURRENT.version}`);
		expect(wrong.length === 0, `the README pins ${[...new Set(wrong)].join(', ')}, not ${CURRENT.version}`);
	});
	for (const line of lines) {
		await check(`README line \`${line}\` against the registry: ${s.PACKAGE} ${CURRENT.version} alone, no n8n-workflow`, async () => {
			const result = await npmInstallIn(line);
			expect(result.code === 0, `exit ${result.code}: ${(result.stdout + result.stderr).slice(-800)}`);
			expect(result.ours === CURRENT.version, `installed ${result.ours}`);
			expect(result.workflow === null, `n8n-workflow ${result.workflow} was installed too`);
			note(`\`${line}\`: ${result.stdout.trim().split('\n').pop()} (${result.durationMs} ms)`);
		});
	}
	await check('without --legacy-peer-deps npm asks the registry for the n8n-workflow peer (n8n has its own copy): the reason the README lines carry the flag', async () => {
		const result = await npmInstallIn(`npm install ${s.PACKAGE}`);
		const text = result.stdout + result.stderr;
		expect(result.code !== 0 && /n8n-workflow/.test(text), `exit ${result.code}, ours ${result.ours}, n8n-workflow ${result.workflow}: ${text.slice(-600)}`);
		note(`\`npm install ${s.PACKAGE}\`: exit ${result.code}, ${(text.match(/.*(E404|404).*/) || ['?'])[0].trim().slice(0, 160)}`);
	});
}

// ------------------------------------------------------------------------------ upgrade part

async function upgradePart() {
	const tag = '[upgrade]';
	const sim = await s.startSimulator();
	state.sims = [...(state.sims || []), sim];
	const home = n8n.createN8nHome('chatbot-leads-e2e-install-', {
		env: {
			E2E_TESTS: 'true',
			N8N_COMMUNITY_PACKAGES_REGISTRY: state.verdaccio.url,
			npm_config_cache: path.join(state.tmp, 'npm-cache-upgrade'),
		},
	});
	state.homes.push(home);
	const password = `Install-${crypto.randomBytes(8).toString('hex')}`;
	let server = await startServer(home, {}, 'upgrade');
	note(`${tag} n8n ${n8n.homeConfig(home).version} at ${server.url} (registry ${state.verdaccio.url}), ready in ${server.startupMs} ms`);
	const rest = await ownerClient(server, { password });

	const installed = await check(`${tag} POST /rest/community-packages installs ${s.PACKAGE}@${OLD_VERSION} by name from the registry; its 2 nodes and 4 credentials appear`, async () => {
		const started = Date.now();
		const res = await rest.request('POST', '/community-packages', { name: s.PACKAGE, version: OLD_VERSION }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
		const pkg = bodyData(res);
		expect(pkg.installedVersion === OLD_VERSION, `installedVersion ${pkg.installedVersion}`);
		note(`${tag} install of ${OLD_VERSION}: ${Date.now() - started} ms, nodes ${pkg.installedNodes.map((x) => x.type).join(', ')}`);
		await expectTypes(server, rest, NODES_OLD, { absent: [s.INSTANT_TYPE] });
		return true;
	});
	if (!installed) return;

	// Credentials as a user makes them (REST, as the dialog saves), pointing at the simulator.
	const credentials = {};
	await check(`${tag} the four credentials are created and their tests pass (${OLD_VERSION})`, async () => {
		for (const { vendor, label, credentialType } of s.VENDORS) {
			credentials[vendor] = await createCredential(rest, { name: `${label} account`, type: credentialType, data: { apiKey: sim.keys[vendor], baseUrl: sim.baseUrls[vendor] } });
			await testCredential(rest, credentials[vendor]);
		}
	});

	const log = []; // every lead added: { row, phase, email }
	const preActivation = new Set();
	for (const row of WATCHED) {
		const res = await sim.admin('POST', '/generate', { vendor: row.vendor, chatbotId: row.chatbotId, projectId: row.projectId, count: 10, start: new Date(Date.now() - 60 * 60 * 1000).toISOString(), stepMs: 5 * 60 * 1000 });
		for (const lead of res.body.leads) preActivation.add(lead.email || JSON.stringify(lead));
	}
	const workflows = {};
	const active = await check(`${tag} two Chatbot Leads Trigger workflows (Chatbase, Robofy) are created and activated on ${OLD_VERSION}; new leads are emitted`, async () => {
		for (const row of WATCHED) workflows[row.key] = await createActiveWorkflow(rest, triggerWorkflow(row, credentials[row.vendor]));
		await s.sleep(5000); // the activation polls
		const emails = [];
		for (const row of WATCHED) emails.push([row, await addLeads(sim, row, 'v010', 2, log)]);
		for (const [row, list] of emails) await waitForEmails(home, workflows[row.key], list);
		return true;
	});
	if (!active) return;

	const oldCursors = {};
	await check(`${tag} ${OLD_VERSION} saved its cursor (v1) in the workflows' static data`, async () => {
		for (const row of WATCHED) {
			const cursor = leadCursorOf(await n8n.readStaticData(home, workflows[row.key]));
			expect(cursor, `${row.label}: no leadCursor`);
			oldCursors[row.key] = cursorVersion(cursor);
			expect(oldCursors[row.key] === 1, `${row.label}: cursor version ${oldCursors[row.key]}`);
		}
	});

	// The update, with leads captured before, during and after it.
	let updateMs = 0;
	const updated = await check(`${tag} PATCH /rest/community-packages (Update) moves ${OLD_VERSION} to ${CURRENT.version} while leads arrive before, during and after it`, async () => {
		for (const row of WATCHED) await addLeads(sim, row, 'before', 2, log);
		const started = Date.now();
		let settled = false;
		const patch = rest.request('PATCH', '/community-packages', { name: s.PACKAGE }, { allowError: true }).finally(() => (settled = true));
		await s.sleep(300);
		const duringWhilePending = !settled;
		for (const row of WATCHED) await addLeads(sim, row, 'during', 2, log);
		const res = await patch;
		updateMs = Date.now() - started;
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
		expect(bodyData(res).installedVersion === CURRENT.version, `installedVersion ${bodyData(res).installedVersion}`);
		note(`${tag} the update took ${updateMs} ms; the "during" leads were added ${duringWhilePending ? 'while it was in flight' : 'after it had already answered'}`);
		for (const row of WATCHED) await addLeads(sim, row, 'after', 2, log);
		return true;
	});
	if (!updated) return;

	await check(`${tag} after the update: 3 nodes and 5 credentials (the webhook-only one new) appear, GET /rest/community-packages says ${CURRENT.version}`, async () => {
		await expectTypes(server, rest, NODES_NEW);
		// n8n runs `npm outdated` (public registry) for this list: n8n 2.0.3 took over 30 s here.
		const started = Date.now();
		const listed = await s.httpJson('GET', `${server.url}/rest/community-packages`, { headers: { cookie: rest.cookie, 'browser-id': rest.browserId }, timeoutMs: 180000 });
		note(`${tag} GET /rest/community-packages answered in ${Date.now() - started} ms`);
		const list = bodyData(listed);
		const ours = list.find((p) => p.packageName === s.PACKAGE);
		expect(ours && ours.installedVersion === CURRENT.version, `listed: ${JSON.stringify(list).slice(0, 300)}`);
	});
	await check(`${tag} after the update, with no edits: the workflows are still active and the ${OLD_VERSION} credentials still test OK`, async () => {
		for (const row of WATCHED) expect(await isActive(rest, workflows[row.key]), `${row.label} workflow is not active`);
		for (const credential of Object.values(credentials)) await testCredential(rest, credential);
	});
	await check(`${tag} every lead added before, during and after the update is emitted`, async () => {
		for (const row of WATCHED) await waitForEmails(home, workflows[row.key], log.filter((l) => l.row === row.key).map((l) => l.email));
	});
	await check(`${tag} the new code runs: the cursor in static data is now version 2`, async () => {
		for (const row of WATCHED) {
			const version = cursorVersion(leadCursorOf(await n8n.readStaticData(home, workflows[row.key])));
			expect(version === 2, `${row.label}: cursor version ${version}`);
		}
	});

	// One more poll, then the count: every lead once, by id, and nothing from before activation.
	await s.sleep(65000);
	const table = [];
	for (const row of WATCHED) {
		const { leads, failures } = await emittedLeads(home, workflows[row.key]);
		const byId = new Map();
		for (const l of leads) byId.set(l.id, (byId.get(l.id) || 0) + 1);
		const byEmail = new Map();
		for (const l of leads) byEmail.set(l.email, (byEmail.get(l.email) || 0) + 1);
		for (const phase of ['v010', 'before', 'during', 'after']) {
			const added = log.filter((l) => l.row === row.key && l.phase === phase);
			const lost = added.filter((l) => !byEmail.has(l.email)).length;
			const repeated = added.filter((l) => (byEmail.get(l.email) || 0) > 1).length;
			table.push({ row, phase, added: added.length, emitted: added.length - lost, lost, repeated });
		}
		await check(`${tag} ${row.label}: each of ${log.filter((l) => l.row === row.key).length} new leads emitted exactly once (by id), none from before activation, no failed execution`, () => {
			expect(failures.length === 0, failures.join('; '));
			const repeatedIds = [...byId].filter(([, n]) => n > 1).map(([id]) => id);
			expect(repeatedIds.length === 0, `lead ids emitted more than once: ${repeatedIds.join(', ')}`);
			const added = new Set(log.filter((l) => l.row === row.key).map((l) => l.email));
			const missing = [...added].filter((e) => !byEmail.has(e));
			expect(missing.length === 0, `not emitted: ${missing.join(', ')}`);
			const old = leads.filter((l) => preActivation.has(l.email) || !added.has(l.email));
			expect(old.length === 0, `emitted leads that existed before activation: ${old.map((l) => l.email).join(', ')}`);
		});
	}
	note(`${tag} leads per phase (the update took ${updateMs} ms):`);
	s.printTable(
		['chatbot', 'phase', 'added', 'emitted', 'lost', 'repeated'],
		table.map((x) => [x.row.label, x.phase === 'v010' ? `on ${OLD_VERSION}` : `${x.phase} the update`, String(x.added), String(x.emitted), String(x.lost), String(x.repeated)]),
	);

	// The Instant Trigger (new in this version): a signed webhook, then once more after an Update.
	const webhookId = '5a0c7e2e-22aa-4c1b-9f00-0000000000a1';
	const instantUrl = s.instantUrl(server.url, webhookId);
	let instantId;
	const sendSigned = async (label) => {
		const sent = await sim.admin('POST', '/webhooks', { vendor: 'chatbase', chatbotId: 'e2e-install-instant', url: instantUrl, lead: { name: `Instant ${label}`, email: `instant-${label}@e2e.example.com` } });
		const statuses = sent.body.webhook.deliveries.map((d) => d.status);
		expect(JSON.stringify(statuses) === '[200]', `delivery statuses ${JSON.stringify(statuses)}`);
		await waitForEmails(home, instantId, [`instant-${label}@e2e.example.com`], 30000, INSTANT_NAME);
	};
	await check(`${tag} an Instant Trigger workflow (Chatbase, signing secret) answers a signed webhook on its production URL and emits the lead`, async () => {
		const credential = await createCredential(rest, { name: 'Chatbase webhooks', type: 'chatbaseApi', data: { apiKey: sim.keys.chatbase, baseUrl: sim.baseUrls.chatbase, webhookSecret: sim.webhookSecrets.chatbase } });
		const node = s.instantTriggerNode({ vendor: 'chatbase', chatbotId: 'e2e-install-instant', webhookId });
		node.credentials = credentialRefOf(credential);
		instantId = await createActiveWorkflow(rest, { name: 'Instant Chatbase leads', nodes: [node, s.noOpNode('Received')], connections: s.connect(INSTANT_NAME, 'Received') });
		await waitForWebhook(instantUrl);
		await sendSigned('first');
	});
	await check(`${tag} one more Update (to ${CURRENT.version} again: the package is unloaded and loaded): the same webhook URL answers, the triggers stay active`, async () => {
		const res = await rest.request('PATCH', '/community-packages', { name: s.PACKAGE }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		await sendSigned('after-update');
		for (const row of WATCHED) expect(await isActive(rest, workflows[row.key]), `${row.label} workflow is not active`);
	});

	await check(`${tag} DELETE /rest/community-packages (Uninstall): n8n stays healthy (/healthz 200), the nodes are gone`, async () => {
		const res = await rest.request('DELETE', `/community-packages?name=${encodeURIComponent(s.PACKAGE)}`, undefined, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		const health = await s.httpJson('GET', `${server.url}/healthz`, { allowError: true });
		expect(health.status === 200, `/healthz: HTTP ${health.status}`);
		const types = await knownTypes(server, rest);
		const ours = types.nodes.filter((x) => x.startsWith(`${s.PACKAGE}.`));
		expect(ours.length === 0, `still served: ${ours.join(', ')}`);
		expect(server.process.exitCode === null, 'n8n exited');
	});
	await check(`${tag} a fresh install by name (no version) gets ${CURRENT.version}, the latest, with its 3 nodes; uninstalled again, /healthz 200`, async () => {
		const res = await rest.request('POST', '/community-packages', { name: s.PACKAGE }, { allowError: true });
		expect(res.status === 200, `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
		expect(bodyData(res).installedVersion === CURRENT.version, `installedVersion ${bodyData(res).installedVersion}`);
		await expectTypes(server, rest, NODES_NEW);
		await rest.request('DELETE', `/community-packages?name=${encodeURIComponent(s.PACKAGE)}`);
		const health = await s.httpJson('GET', `${server.url}/healthz`, { allowError: true });
		expect(health.status === 200, `/healthz: HTTP ${health.status}`);
	});
	const output = server.output();
	await stopServer(server);
	server = null;
	await check(`${tag} no API key in n8n's output`, () => {
		const leaked = Object.values(sim.keys).filter((key) => output.includes(key));
		expect(leaked.length === 0, `${leaked.length} simulator key(s) in n8n's output`);
	});
}

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

// ----------------------------------------------------------------------------------- main

async function cleanUp() {
	for (const server of state.servers) await server.stop().catch(() => {});
	for (const worker of state.workers) await worker.stop().catch(() => {});
	state.servers = [];
	state.workers = [];
	if (state.redis) await state.redis.stop().catch(() => {});
	if (state.postgres) await state.postgres.stop().catch(() => {});
	for (const sim of state.sims || []) await sim.stop().catch(() => {});
	if (state.verdaccio) await state.verdaccio.stop().catch(() => {});
	n8n.killAll();
	s.killChildren();
	for (const home of state.homes) {
		if (KEEP) note(`kept ${home}`);
		else n8n.removeN8nHome(home);
	}
	if (state.tmp) fs.rmSync(state.tmp, { recursive: true, force: true });
}

async function main() {
	const t0 = Date.now();
	s.installCleanup(async (signal) => {
		r.report('the run was not interrupted', new Error(signal));
		r.summarize();
		await cleanUp();
	});
	try {
		await setUpRegistry();
		const parts = [];
		if (PARTS.has('npm')) parts.push(npmLinesPart().catch((error) => r.report('the npm install lines part ran to its end', error)));
		if (PARTS.has('upgrade')) parts.push(upgradePart().catch((error) => r.report('the upgrade part ran to its end', error)));
		if (PARTS.has('queue')) {
			parts.push(s.sleep(10000).then(() => queuePart()).catch((error) => r.report('the queue part ran to its end', error)));
		}
		await Promise.all(parts);
	} catch (error) {
		r.report('the install run itself', error);
	} finally {
		await cleanUp();
	}
	note(`install.js took ${Math.round((Date.now() - t0) / 1000)} s`);
	if (!r.isFinished()) process.exitCode = r.summarize() ? 0 : 1;
}

main();
