#!/usr/bin/env node
'use strict';
/**
 * Exactly once through ordinary operations (issue 19), in a real n8n 2.41.1 (default engine:
 * SQLite, one process), the package installed as Settings > Community Nodes does.
 *
 *   node test/e2e/operations.js      (after npm run build; part of npm run test:e2e)
 *   E2E_KEEP=1 / E2E_ECHO=1          keep the n8n home / copy `n8n start` output to stderr
 *
 * One n8n, one vendor simulator, seven active trigger workflows polling every minute, the five
 * scenarios side by side:
 *   a. outage     (Chatbase, Chatof.ai; newest-first) n8n is stopped while 240 leads are captured
 *                 over 72 hours, then started. n8n cannot be stopped for 72 real hours, so the
 *                 vendor's times carry it: the leads the activation remembers end 74 h ago, and
 *                 the outage's leads fill the 72 h after them (18 min apart). The trigger has to
 *                 read more than 50 h of new ground (the old code stopped at "newest lead minus
 *                 the kept period" and lost the oldest part).
 *   b. rename     (Chatof.ai) the trigger node is renamed as the editor does it: same node id, new
 *                 name, saved (PATCH /rest/workflows/:id) and published (POST .../activate)
 *                 through n8n's REST API while n8n runs. n8n keys a node's static data by its name.
 *   c. since      (Chatbase, Chatof.ai) First Poll "Also Existing Leads Since a Date" five days
 *                 back, with 300 leads since that date (and 20 from before it, never emitted).
 *   d. forbidden  (Robofy, Chatbots = All, three chatbots) one chatbot answers 403 (a simulator
 *                 fault matched to its lead path) for two polls: the others' new leads keep
 *                 flowing, an error execution names the failing chatbot, and its leads follow
 *                 once it recovers.
 *   e. late       (Chatzuri, Chatbots = All, List Chatbots Every 2 minutes) a chatbot created
 *                 while the workflow is active, with a lead captured right away (before any list
 *                 shows it): every one of its leads is emitted.
 * Every scenario's leads go on through the outage of (a) (one lead each while n8n is stopped).
 * At the end, per scenario: new / emitted / lost / duplicated, and leads that existed before
 * (or before the date) must never come out. On a failure the trigger's static data is printed.
 * Each check prints `ok - name` or `not ok - name: reason`; the last line is `N passed, N failed`
 * (also appended as `N M` to $TEST_SUMMARY_FILE). About 5-6 minutes with n8n cached.
 *
 * The scenarios live in operations/ (common, observe, setup, scenarios, outage).
 */
const s = require('./support');

const { KEEP, r, state, check } = require('./operations/common');
const { setUp, startServer, stopServer, logIn } = require('./operations/setup');
const { checkActivation, scenarioSince, scenarioRename, scenarioForbidden, scenarioLate } = require('./operations/scenarios');
const { outage, finalPollAndTally } = require('./operations/outage');

// ---------------------------------------------------------------------------------- main

async function main() {
	await s.runScript(state, r, {
		runCheck: 'the operations end-to-end run itself',
		stopServer,
		keep: KEEP,
		steps: async () => {
			await setUp();
			await startServer();
			await check('REST API: owner set up and logged in', logIn);
			if (!(await checkActivation())) return;
			// b., c., d. and e. side by side while n8n runs; then the outage of a. for everyone.
			await Promise.all([scenarioRename(), scenarioSince(), scenarioForbidden(), scenarioLate()]);
			await outage();
			await finalPollAndTally();
			await stopServer();
		},
	});
}

main();
