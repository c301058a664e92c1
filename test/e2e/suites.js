'use strict';
/**
 * The real-n8n e2e suites run by test/e2e/suite.js (`npm run test:e2e` = suite `e2e`,
 * `npm run test:e2e:engines` = suite `engines`). The scripts of a suite run at the same time
 * (their minute polls are mostly waiting); each prints `ok - ...` lines and `N passed, N failed`,
 * and the suite adds up the counts.
 *
 * To add an e2e script: put it in test/e2e/, make it report through ./report.js (or print the
 * same lines and append `N M` to $TEST_SUMMARY_FILE), and add one line to a suite below.
 */
module.exports = {
	e2e: [
		// The longest first: the trigger scenario (issue 11) in the engines every CI run covers.
		{ name: 'trigger engines', script: 'triggers.js', args: ['--engines=default,scheduler-cursors,queue'] },
		// Return All / Limit, wrong key, credential tests, pickers: once, default engine.
		{ name: 'single runs', script: 'run.js' },
		// The Instant Trigger's webhooks.
		{ name: 'instant trigger', script: 'instant.js' },
		// Several chatbots in one node / one trigger.
		{ name: 'several chatbots', script: 'multi.js' },
		// Ordinary operations (issue 19): a 72-hour outage, a rename, First Poll 5 days back, a 403 under All, a chatbot created while active.
		{ name: 'operations', script: 'operations.js' },
		// Include Conversation (issue 20): every vendor through the node, and an active trigger.
		{ name: 'conversations', script: 'conversations.js' },
	],
	engines: [
		// n8n 1.x and the durable scheduler without durable cursors.
		{ name: 'trigger engines (more)', script: 'triggers.js', args: ['--engines=v1,scheduler'] },
		// Installed and upgraded the way users do it (issue 22): Community Nodes endpoints and Verdaccio, 0.1.0 -> current, queue mode, the README's npm lines.
		{ name: 'install and upgrade', script: 'install.js' },
	],
};
