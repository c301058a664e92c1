'use strict';

/** Child processes of an e2e script (killed on exit and signals), a script's run, and the vendor simulator as a child process. */

const childProcess = require('child_process');
const path = require('path');
const n8n = require('../../../scripts/n8n/lib');

const { REPO } = require('./vendors');
const { httpJson } = require('./http');

// ------------------------------------------------------------------------ child processes

const children = new Set();

let cleanupInstalled = false;

function killChild(child, signal = 'SIGKILL') {
	if (!child || !child.pid || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // its own process group
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every child started through this module (the simulator). */
function killChildren() {
	for (const child of children) killChild(child);
	children.clear();
}

/**
 * Runs an e2e script's `steps` with its report (report.js): a signal or a thrown error becomes the
 * failed check `runCheck`; n8n (through the script's own stopServer), the simulator, every child
 * process and the temporary folders are cleaned up whatever happens (the n8n home stays with
 * `keep`); the exit code says whether every check passed.
 */
async function runScript(state, r, { runCheck, steps, stopServer, keep }) {
	const cleanUp = async () => {
		await stopServer(state).catch(() => {});
		if (state.sim) await state.sim.stop().catch(() => {});
		n8n.killAll();
		killChildren();
		if (state.tmp) n8n.removeN8nHome(state.tmp);
		if (state.home && !keep) n8n.removeN8nHome(state.home);
		else if (state.home) r.note(`kept n8n home ${state.home}`);
	};
	installCleanup(async (signal) => {
		r.report('the run was not interrupted', new Error(signal));
		r.summarize();
		await cleanUp();
	});
	try {
		await steps();
	} catch (error) {
		r.report(runCheck, error);
	} finally {
		await cleanUp();
	}
	if (!r.isFinished()) process.exitCode = r.summarize() ? 0 : 1;
}

/**
 * Runs `onSignal` (async cleanup) once on SIGINT / SIGTERM / SIGHUP, then exits 130/143/129.
 * Also kills our children on a plain process exit. lib.js tracks n8n itself.
 */
function installCleanup(onSignal) {
	if (cleanupInstalled) return;
	cleanupInstalled = true;
	process.on('exit', killChildren);
	const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
	let running = false;
	for (const signal of Object.keys(codes)) {
		process.on(signal, () => {
			if (running) return;
			running = true;
			process.stderr.write(`\n${signal}: cleaning up…\n`);
			const hardStop = setTimeout(() => process.exit(codes[signal]), 30000);
			hardStop.unref();
			Promise.resolve()
				.then(() => onSignal && onSignal(signal))
				.catch((error) => process.stderr.write(`cleanup failed: ${error.message}\n`))
				.finally(() => {
					killChildren();
					process.exit(codes[signal]);
				});
		});
	}
}

// ---------------------------------------------------------------------------- simulator

/**
 * Starts `node test/simulator/cli.js --port <port> [--seed]` on 127.0.0.1 as a child process.
 * Resolves { url, baseUrls, keys, seed, process, admin(method, path, body), stop() }.
 */
function startSimulator({ port = 0, seed = false, verbose = false } = {}) {
	const args = [path.join(REPO, 'test', 'simulator', 'cli.js'), '--port', String(port), '--host', '127.0.0.1'];
	if (seed) args.push('--seed');
	if (verbose) args.push('--verbose');
	const child = childProcess.spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	child.once('exit', () => children.delete(child));
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (d) => {
		stderr += d;
		if (verbose) process.stderr.write(d);
	});
	return new Promise((resolve, reject) => {
		let stdout = '';
		const timer = setTimeout(() => fail(new Error('the simulator did not start within 15 s')), 15000);
		function fail(error) {
			clearTimeout(timer);
			killChild(child);
			reject(new Error(`${error.message}\n${stderr}`));
		}
		child.once('error', fail);
		child.once('exit', (code) => fail(new Error(`the simulator exited (${code})`)));
		child.stdout.setEncoding('utf8').on('data', (d) => {
			stdout += d;
			const newline = stdout.indexOf('\n');
			if (newline < 0) return;
			clearTimeout(timer);
			child.removeAllListeners('exit');
			child.once('exit', () => children.delete(child));
			const info = JSON.parse(stdout.slice(0, newline));
			const sim = {
				...info,
				process: child,
				admin: (method, urlPath, body) => httpJson(method, `${info.url}/__admin${urlPath}`, { body }),
				stop: () => stopChild(child),
			};
			resolve(sim);
		});
	});
}

function stopChild(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve();
		const timer = setTimeout(() => killChild(child, 'SIGKILL'), 5000);
		child.once('exit', () => {
			clearTimeout(timer);
			children.delete(child);
			resolve();
		});
		killChild(child, 'SIGTERM');
	});
}

module.exports = { children, cleanupInstalled, killChild, killChildren, runScript, installCleanup, startSimulator, stopChild };
