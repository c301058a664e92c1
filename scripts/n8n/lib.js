'use strict';
/**
 * Drive a real n8n (installed by scripts/n8n/install-n8n.sh) from tests and scripts.
 * Plain CommonJS, no dependencies; runs on the test runner's Node 20 and spawns n8n (and the
 * sqlite3 reader) under the Node 24 from the install cache.
 *
 *   const n8n = require('./scripts/n8n/lib');
 *   const home = n8n.createN8nHome();
 *   await n8n.installPackedPackage(home, tgz);          // types: n8n-nodes-chatbot-leads.<node>
 *   await n8n.importCredentials(home, [{ id, name, type, data: { apiKey: 'x' } }]);
 *   const id = await n8n.importWorkflow(home, workflowJson);
 *   const run = await n8n.executeWorkflow(home, id);    // workflow must start with a Manual Trigger
 *   n8n.nodeOutput(run, 'Set');                          // -> [{...json}, ...]
 *   await n8n.publishWorkflow(home, id);                // before startN8n
 *   const server = await n8n.startN8n(home);
 *   const [execution] = await n8n.waitForExecutions(home, id, { count: 1 });
 *   await server.stop();
 *   await n8n.readStaticData(home, id);
 *   n8n.removeN8nHome(home);
 *
 * Every process started here runs in its own process group and is tracked; stop() / failures /
 * timeouts / process exit / SIGINT / SIGTERM kill the whole group (n8n + its task runners).
 */
//
// The code lives by job in versions.js, processes.js, home.js, pack.js, cli.js, server.js and db.js;
// this file re-exports it, so `require('./scripts/n8n/lib')` keeps working.

const { DEFAULT_VERSION, V1_VERSION, paths, isInstalled, assertInstalled, ensureInstalled } = require('./versions');
const { killAll, runProcess, freePortSync } = require('./processes');
const { createN8nHome, configureN8nHome, homeConfig, homePaths, removeN8nHome, n8nEnv, runN8n } = require('./home');
const { packPackage, installPackedPackage } = require('./pack');
const { newId, importCredentials, importWorkflow, parseExecuteOutput, executeWorkflow, publishWorkflow, unpublishWorkflow } = require('./cli');
const { startN8n, startN8nWorker } = require('./server');
const { dbPath, querySqlite, usesPostgres, queryPostgres, queryDb, readExecutions, waitForExecutions, readStaticData, readPollerState, readWorkflow, nodeOutput, runError } = require('./db');

module.exports = {
	DEFAULT_VERSION,
	V1_VERSION,
	// install
	paths,
	isInstalled,
	assertInstalled,
	ensureInstalled,
	// homes and processes
	createN8nHome,
	configureN8nHome,
	homeConfig,
	homePaths,
	removeN8nHome,
	n8nEnv,
	freePortSync,
	runN8n,
	runProcess,
	killAll,
	// packages
	packPackage,
	installPackedPackage,
	// CLI
	newId,
	importCredentials,
	importWorkflow,
	executeWorkflow,
	parseExecuteOutput,
	publishWorkflow,
	unpublishWorkflow,
	startN8n,
	startN8nWorker,
	// database
	dbPath,
	querySqlite,
	queryPostgres,
	queryDb,
	usesPostgres,
	readExecutions,
	waitForExecutions,
	readStaticData,
	readPollerState,
	readWorkflow,
	// results
	nodeOutput,
	runError,
};
