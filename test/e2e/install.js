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
const fs = require('fs');

const n8n = require('../../scripts/n8n/lib');
const s = require('./support');
const { KEEP, PARTS, note, r, state } = require('./install/common');
const { npmLinesPart, setUpRegistry } = require('./install/registry');
const { upgradePart } = require('./install/upgrade');
const { queuePart } = require('./install/queue');

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
