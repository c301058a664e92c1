#!/usr/bin/env node
'use strict';
/**
 * The Chatbot Leads Instant Trigger in a real n8n 2.41.1: active workflows receive the vendors'
 * signed webhooks on their production URLs (`<n8n>/webhook/<webhook id>/webhook`).
 *
 *   npm run build && node test/e2e/instant.js      (part of npm run test:e2e; Node 20 is enough)
 *   E2E_KEEP=1 / E2E_ECHO=1                       keep the n8n home / copy n8n's output to stderr
 *
 * It has its own n8n home and its own simulator (test/simulator, which sends the webhooks as
 * Chatbase and Chatzuri do). Three workflows, Instant Trigger -> No Op: Chatbase (chatbot
 * e2e-cb-bot, signing secret), Chatzuri (agent e2e-cz-agent, signing secret), Chatzuri with a
 * credential without secret (every agent). Checks: each lead once with the right fields; a bad,
 * missing or tampered signature gets 401 and starts nothing; a redelivery and concurrent copies
 * start one execution; another chatbot's event, another event type, malformed JSON and a body
 * without a lead start nothing; the three Chatzuri shapes; the received-events state survives
 * a restart; no signing secret in n8n's output or stored executions.
 * Prints `ok - …` / `not ok - …`, then `N passed, N failed` (appended as `N M` to
 * $TEST_SUMMARY_FILE when set). Exit 0 only if all passed. About 1-2 minutes with n8n cached.
 *
 * The workflows and checks live in instant/ (common, checks).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../../scripts/n8n/lib');
const s = require('./support');

const { KEEP, r, WORKFLOWS, workflow, SECRET_ONLY_CREDENTIAL, unsignedCredential, note, check, expect } = require('./instant/common');
const { checkChatbase, checkChatzuri, checkSecretOnly, checkConversation, checkRestartAndSecrets } = require('./instant/checks');
const { startServer, stopServer } = require('./instant/server');

// ---------------------------------------------------------------------------------- main

async function setUp(state) {
	n8n.ensureInstalled({ quiet: false });
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsInstantTrigger', 'ChatbotLeadsInstantTrigger.node.js')), 'dist/ is missing the Instant Trigger: run npm run build first');
	state.sim = await s.startSimulator();
	note(`simulator on ${state.sim.url}`);
	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-instant-pack-'));
	state.home = n8n.createN8nHome('chatbot-leads-instant-');
	const tgz = await n8n.packPackage(s.REPO, state.tmp);
	await n8n.installPackedPackage(state.home, tgz);
	await n8n.importCredentials(state.home, [...s.simulatorCredentials(state.sim), unsignedCredential(state.sim), SECRET_ONLY_CREDENTIAL]);
	await n8n.importWorkflow(state.home, WORKFLOWS.map(workflow));
	for (const { id } of WORKFLOWS) await n8n.publishWorkflow(state.home, id);
	note(`installed the packed package, imported and published ${WORKFLOWS.length} workflows in ${state.home}`);
	await startServer(state);
	await check('activation registers each Instant Trigger production URL (POST <n8n>/webhook/<webhook id>/webhook)', async () => {
		const rows = await n8n.querySqlite(state.home, 'SELECT webhookPath, method, workflowId FROM webhook_entity');
		for (const { id, webhookId } of WORKFLOWS) {
			expect(rows.some((r) => r.workflowId === id && r.method === 'POST' && r.webhookPath === `${webhookId}/webhook`), `${id}: ${JSON.stringify(rows)}`);
		}
	});
}

async function main() {
	const state = {};
	await s.runScript(state, r, {
		runCheck: 'the instant-trigger end-to-end run itself',
		stopServer,
		keep: KEEP,
		steps: async () => {
			await setUp(state);
			await checkChatbase(state);
			await checkChatzuri(state);
			await checkSecretOnly(state);
			await checkConversation(state);
			await checkRestartAndSecrets(state);
		},
	});
}

main();
