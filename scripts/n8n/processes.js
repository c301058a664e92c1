'use strict';

/** Child processes: tracked in their own process groups and killed together (on stop, failure, timeout, exit, SIGINT, SIGTERM); running one to completion; a free port. */

const childProcess = require('child_process');
const path = require('path');

// --------------------------------------------------------------------- process tracking

const tracked = new Set();

let handlersInstalled = false;

function killGroup(child, signal) {
	if (!child || !child.pid) return;
	try {
		process.kill(-child.pid, signal); // the whole group: n8n + task runner children
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every process this module started (SIGKILL, whole process groups). */
function killAll() {
	for (const child of tracked) killGroup(child, 'SIGKILL');
	tracked.clear();
}

function installExitHandlers() {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', killAll);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		const handler = () => {
			killAll();
			// If nobody else handles the signal, keep its default meaning (terminate).
			if (process.listenerCount(signal) === 1) {
				process.removeListener(signal, handler);
				process.kill(process.pid, signal);
			}
		};
		process.on(signal, handler);
	}
}

function spawnTracked(command, args, options) {
	installExitHandlers();
	const child = childProcess.spawn(command, args, {
		...options,
		detached: true, // own process group, so killGroup reaches grandchildren
		stdio: options.stdio || ['ignore', 'pipe', 'pipe'],
	});
	tracked.add(child);
	const forget = () => tracked.delete(child);
	child.once('exit', forget);
	child.once('error', forget);
	return child;
}

function tail(text, max = 6000) {
	text = String(text || '');
	return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Runs a command as a tracked process group and collects its output.
 * Resolves { code, signal, stdout, stderr, durationMs }; rejects on spawn error, timeout, or
 * (unless allowFailure) a non-zero exit. On timeout the whole group is killed.
 */
function runProcess(command, args, { env, cwd, timeoutMs = 180000, input, allowFailure = false, label } = {}) {
	const started = Date.now();
	const name = label || `${path.basename(command)} ${args.join(' ')}`;
	return new Promise((resolve, reject) => {
		const child = spawnTracked(command, args, {
			env,
			cwd,
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		if (input !== undefined) child.stdin.end(input);
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL');
			reject(new Error(`${name}: could not start: ${error.message}`));
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL'); // leftovers in the group, if any
			const result = { code, signal, stdout, stderr, durationMs: Date.now() - started };
			if (timedOut) {
				reject(
					Object.assign(
						new Error(`${name}: timed out after ${timeoutMs} ms\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`),
						result,
					),
				);
			} else if (code !== 0 && !allowFailure) {
				reject(
					Object.assign(
						new Error(
							`${name}: exit ${code}${signal ? ` (${signal})` : ''}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`,
						),
						result,
					),
				);
			} else {
				resolve(result);
			}
		});
	});
}

// ----------------------------------------------------------------------------- n8n homes

/** Synchronously finds a free TCP port on 127.0.0.1 (asks the OS for an ephemeral port). */
function freePortSync() {
	const out = childProcess.execFileSync(
		process.execPath,
		[
			'-e',
			"const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});",
		],
		{ encoding: 'utf8', env: { PATH: process.env.PATH } },
	);
	const port = Number(out.trim());
	if (!Number.isInteger(port) || port <= 0) throw new Error(`freePortSync: bad port '${out}'`);
	return port;
}

module.exports = { tracked, handlersInstalled, killGroup, killAll, installExitHandlers, spawnTracked, tail, runProcess, freePortSync };
