'use strict';
/**
 * Helpers shared by the real-n8n end-to-end test (test/e2e/run.js) and the local instance
 * (scripts/n8n/local.js): the vendor simulator as a child process, its admin API, the four
 * credentials, workflow builders, and a small client for n8n's REST API (owner setup, login,
 * credential test). Plain CommonJS, no dependencies, Node 20.
 *
 * The code lives by job in support/ (vendors.js, processes.js, http.js, cursor.js); this file
 * re-exports it, so `require('./support')` keeps working.
 */

const { REPO, PACKAGE, NODE_TYPE, TRIGGER_TYPE, INSTANT_TYPE, VENDORS, credentialId, simulatorCredentials, credentialRef, chatbotParameters, manualTriggerNode, leadsNode, triggerNode, instantTriggerNode, instantUrl, noOpNode, connect } = require('./support/vendors');
const { killChildren, runScript, installCleanup, startSimulator } = require('./support/processes');
const { httpJson, N8nRestClient, sleep } = require('./support/http');
const { leadFingerprint, seenFingerprints, printTable } = require('./support/cursor');

module.exports = {
	printTable,
	leadFingerprint,
	seenFingerprints,
	REPO,
	PACKAGE,
	NODE_TYPE,
	TRIGGER_TYPE,
	INSTANT_TYPE,
	VENDORS,
	installCleanup,
	runScript,
	killChildren,
	startSimulator,
	httpJson,
	sleep,
	N8nRestClient,
	credentialId,
	credentialRef,
	simulatorCredentials,
	chatbotParameters,
	manualTriggerNode,
	leadsNode,
	triggerNode,
	instantTriggerNode,
	instantUrl,
	noOpNode,
	connect,
};
