'use strict';
/**
 * `n8n execute` with memory sampling of its process tree. A small addition to
 * scripts/n8n/lib.js (whose executeWorkflow does not expose the child's pid): same Node 24, same
 * environment (lib.n8nEnv), same output parsing (lib.parseExecuteOutput), same tolerance of the
 * SIGSEGV/SIGABRT n8n 2.41.1 sometimes dies with after printing the run.
 *
 * Memory: every `intervalMs` the sampler reads /proc/<pid>/status of every process in the
 * group of the spawned n8n (detached: pgid = its pid; the task runner is in it too) and keeps
 * { t, tree, main } (RSS in kB) and the tree's CPU time so far (ms); VmHWM (the kernel's high-water mark of RSS) of each process is
 * kept as last read. Peaks can then be taken over any time window, e.g. while one node ran.
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../n8n/lib');

function statusOf(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (name) => {
			const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
			return m ? Number(m[1]) : 0;
		};
		return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
	} catch {
		return null;
	}
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) a process has used so far. */
function cpuMsOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(rest[11]) + Number(rest[12])) * TICK_MS;
	} catch {
		return 0;
	}
}

function pgidOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(rest[2]);
	} catch {
		return -1;
	}
}

/** Every live process whose process group is `pgid`. */
function groupMembers(pgid) {
	const pids = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		if (pid === pgid || pgidOf(pid) === pgid) pids.push(pid);
	}
	return pids;
}

class TreeSampler {
	constructor(rootPid, intervalMs = 20) {
		this.root = rootPid;
		this.samples = [];
		this.hwm = new Map(); // pid -> last VmHWM (kB)
		this.members = [rootPid];
		this.tick = 0;
		this.timer = setInterval(() => this.sample(), intervalMs);
		this.sample();
	}

	sample() {
		if (this.tick++ % 10 === 0) this.members = groupMembers(this.root);
		let tree = 0;
		let main = 0;
		let cpu = 0;
		for (const pid of this.members) {
			const s = statusOf(pid);
			if (!s) continue;
			tree += s.rss;
			cpu += cpuMsOf(pid);
			if (pid === this.root) main = s.rss;
			this.hwm.set(pid, Math.max(this.hwm.get(pid) || 0, s.hwm));
		}
		if (tree > 0) this.samples.push({ t: Date.now(), tree, main, cpu });
	}

	stop() {
		clearInterval(this.timer);
	}

	/** Peak sampled RSS (kB) of the tree and of the main process, within [from, to] (ms epoch). */
	peak(from = -Infinity, to = Infinity) {
		let tree = 0;
		let main = 0;
		for (const s of this.samples) {
			if (s.t < from || s.t > to) continue;
			tree = Math.max(tree, s.tree);
			main = Math.max(main, s.main);
		}
		return { tree, main };
	}

	/** CPU time (ms) the process tree used between two instants, from the nearest samples. */
	cpuBetween(from, to) {
		const before = this.samples.filter((s) => s.t <= from).pop() || this.samples[0];
		const after = this.samples.find((s) => s.t >= to) || this.samples[this.samples.length - 1];
		return before && after ? after.cpu - before.cpu : 0;
	}

	hwmMain() {
		return this.hwm.get(this.root) || 0;
	}

	hwmSum() {
		let sum = 0;
		for (const v of this.hwm.values()) sum += v;
		return sum;
	}
}

const running = new Set();
process.on('exit', () => {
	for (const child of running) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
});

/**
 * Runs `n8n execute --id=<id> --rawOutput` in `home` with extra env, sampling memory.
 * Resolves { run, code, signal, crashedOnExit, durationMs, stdoutBytes, sampler, spawnedAt, exitedAt }.
 */
function executeSampled(home, id, { env, timeoutMs = 900000, intervalMs = 20 } = {}) {
	n8n.assertInstalled();
	const p = n8n.paths();
	return new Promise((resolve, reject) => {
		const spawnedAt = Date.now();
		// stdout goes to a file, not a pipe: n8n exits before a pipe has taken a large run
		// (seen: 100,000 items cut at 5 MB, so the JSON could not be parsed). File writes are
		// synchronous, so the file always holds everything n8n printed.
		const outFile = path.join(os.tmpdir(), `n8n-bench-out-${process.pid}-${id}-${spawnedAt}.txt`);
		const outFd = fs.openSync(outFile, 'w');
		let child;
		try {
			child = childProcess.spawn(p.node24, [p.n8nScript, 'execute', `--id=${id}`, '--rawOutput'], {
				env: n8n.n8nEnv(home, env),
				cwd: home,
				detached: true,
				stdio: ['ignore', outFd, 'pipe'],
			});
		} finally {
			fs.closeSync(outFd);
		}
		running.add(child);
		const sampler = new TreeSampler(child.pid, intervalMs);
		let err = '';
		child.stderr.setEncoding('utf8').on('data', (d) => {
			err += d;
			if (err.length > 1 << 20) err = err.slice(-(1 << 19));
		});
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
		}, timeoutMs);
		child.once('error', (e) => {
			clearTimeout(timer);
			sampler.stop();
			running.delete(child);
			reject(e);
		});
		child.once('close', (code, signal) => {
			const exitedAt = Date.now();
			clearTimeout(timer);
			sampler.stop();
			running.delete(child);
			try {
				process.kill(-child.pid, 'SIGKILL'); // task runner leftovers
			} catch {
				/* gone */
			}
			const stdout = fs.readFileSync(outFile);
			fs.rmSync(outFile, { force: true });
			const crashedOnExit = code === null && ['SIGSEGV', 'SIGABRT', 'SIGBUS'].includes(signal);
			let run;
			try {
				run = n8n.parseExecuteOutput(stdout.toString('utf8'));
			} catch (e) {
				const dump = path.join(os.tmpdir(), `n8n-bench-stdout-${id}-${Date.now()}.txt`);
				fs.writeFileSync(dump, stdout);
				e.message = `${e.message.slice(0, 1500)}\n(stdout: ${stdout.length} bytes, saved in ${dump})`;
				reject(
					new Error(
						`n8n execute --id=${id}: exit ${code}${signal ? ` (${signal})` : ''}; ${e.message.slice(0, 3000)}\n--- stderr\n${err.slice(-3000)}`,
					),
				);
				return;
			}
			resolve({
				run,
				code,
				signal,
				crashedOnExit,
				durationMs: exitedAt - spawnedAt,
				stdoutBytes: stdout.length,
				sampler,
				spawnedAt,
				exitedAt,
				stderr: err,
			});
		});
	});
}

/** { startTime, executionTime, items } of one node's first run, from a parsed run. */
function nodeTiming(run, nodeName) {
	const runs = run && run.data && run.data.resultData && run.data.resultData.runData && run.data.resultData.runData[nodeName];
	if (!runs || !runs[0]) return undefined;
	const r = runs[0];
	const main = (r.data && r.data.main) || [];
	return { startTime: r.startTime, executionTime: r.executionTime, items: (main[0] || []).length, error: r.error };
}

module.exports = { executeSampled, nodeTiming, TreeSampler, statusOf };
