'use strict';

/** Credentials and workflows through the n8n CLI: import, execute (and read its output), publish. */

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const { runN8n } = require('./home');
const { tail } = require('./processes');
const { runError } = require('./db');

// ------------------------------------------------------------------- import / execute / publish

/** A random id in n8n's style (16 alphanumerics). */
function newId() {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.randomBytes(16);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function writeTempJson(home, prefix, value) {
	const dir = path.join(home, 'imports');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${prefix}-${Date.now()}-${crypto.randomBytes(4).toString('hex')}.json`);
	fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
	return file;
}

/**
 * `n8n import:credentials`: creds is an array of { id?, name, type, data } with `data` a plain
 * object (n8n encrypts it with the home's key). Missing ids are generated. Resolves the ids.
 */
async function importCredentials(home, creds, { env } = {}) {
	const list = (Array.isArray(creds) ? creds : [creds]).map((c) => ({ id: newId(), ...c }));
	const file = writeTempJson(home, 'credentials', list);
	try {
		await runN8n(home, ['import:credentials', `--input=${file}`], { env });
	} finally {
		fs.rmSync(file, { force: true }); // holds secrets in clear text
	}
	return list.map((c) => c.id);
}

/**
 * `n8n import:workflow`: wf is a workflow object (or an array of them). A missing id is
 * generated. Imported workflows are inactive unless activeState: 'fromJson' (publishWorkflow is
 * the 2.x way to activate). Resolves the id (or the ids, for an array).
 */
async function importWorkflow(home, wf, { env, activeState } = {}) {
	const list = (Array.isArray(wf) ? wf : [wf]).map((w) => ({
		settings: { executionOrder: 'v1' },
		connections: {},
		active: false,
		...w,
		id: w.id || newId(),
		name: w.name || `workflow ${w.id || ''}`.trim(),
	}));
	const file = writeTempJson(home, 'workflow', list);
	const args = ['import:workflow', `--input=${file}`];
	if (activeState) args.push(`--activeState=${activeState}`);
	await runN8n(home, args, { env });
	fs.rmSync(file, { force: true });
	return Array.isArray(wf) ? list.map((w) => w.id) : list[0].id;
}

/** From text[start] ('{' or '['), the index just past the matching bracket (string-aware), or -1. */
function matchBracket(text, start) {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) return i + 1;
		}
	}
	return -1;
}

/**
 * Finds the execution JSON printed by `n8n execute --rawOutput`. stdout carries log lines first
 * ("n8n Task Broker ready ...", license and runner notices), the run as pretty-printed JSON, and
 * on failure more text after it ("Error executing workflow ... Execution error: ====" and the
 * stack). Picks the JSON document starting at a line start that looks like a run (has `data` and
 * `status`/`finished`); falls back to the last JSON document found.
 */
function parseExecuteOutput(stdout) {
	const text = String(stdout);
	try {
		return JSON.parse(text);
	} catch {
		/* log lines around the JSON */
	}
	const re = /^[{[]/gm;
	let match;
	let last;
	while ((match = re.exec(text))) {
		const end = matchBracket(text, match.index);
		if (end < 0) continue;
		let value;
		try {
			value = JSON.parse(text.slice(match.index, end));
		} catch {
			continue;
		}
		if (value && typeof value === 'object' && 'data' in value && ('status' in value || 'finished' in value)) {
			return value;
		}
		last = value;
		re.lastIndex = end;
	}
	if (last !== undefined) return last;
	throw new Error(`could not find the execution JSON in n8n execute output:\n${tail(text)}`);
}

/**
 * `n8n execute --id=<id> --rawOutput` and the parsed run: { data: { resultData: { runData,
 * error?, lastNodeExecuted } ... }, mode: 'cli', status: 'success'|'error'|..., finished,
 * startedAt, stoppedAt }. A failed run (exit 1) still resolves with its JSON (status 'error',
 * data.resultData.error) unless expectSuccess is set; no JSON at all rejects.
 * The workflow must start with a Manual Trigger. Each call starts a fresh n8n (~4-8 s).
 *
 * run.cli (not enumerable) = { code, signal, stdout, stderr, durationMs, crashedOnExit }.
 * n8n 2.41.1's `execute` sometimes dies with SIGSEGV/SIGABRT while shutting down its
 * isolated-vm expression engine, after it printed (and saved) the complete run. That is
 * reported as crashedOnExit: true and does not count as a failure; pass
 * env: { N8N_EXPRESSION_ENGINE: 'legacy' } to avoid the isolated-vm engine altogether.
 */
async function executeWorkflow(home, id, { env, timeoutMs, expectSuccess = false } = {}) {
	const result = await runN8n(home, ['execute', `--id=${id}`, '--rawOutput'], {
		env,
		timeoutMs,
		allowFailure: true,
	});
	let run;
	try {
		run = parseExecuteOutput(result.stdout);
	} catch (error) {
		throw new Error(
			`n8n execute --id=${id}: exit ${result.code}${result.signal ? ` (${result.signal})` : ''}; ${error.message}\n--- stderr\n${tail(result.stderr)}`,
		);
	}
	const crashedOnExit = result.code === null && ['SIGSEGV', 'SIGABRT', 'SIGBUS'].includes(result.signal);
	Object.defineProperty(run, 'cli', { value: { ...result, crashedOnExit }, enumerable: false });
	const exitOk = result.code === 0 || crashedOnExit;
	if (expectSuccess && (!exitOk || run.status !== 'success')) {
		const err = runError(run);
		throw new Error(
			`n8n execute --id=${id}: status ${run.status}, exit ${result.code}${result.signal ? ` (${result.signal})` : ''}${err ? `: ${err.message}` : ''}\n--- stdout\n${tail(result.stdout)}`,
		);
	}
	return run;
}

/** `n8n publish:workflow --id=<id> [--versionId=]` (2.x activation). Run it while n8n is stopped. */
async function publishWorkflow(home, id, { env, versionId } = {}) {
	const args = ['publish:workflow', `--id=${id}`];
	if (versionId) args.push(`--versionId=${versionId}`);
	return runN8n(home, args, { env });
}

/** `n8n unpublish:workflow --id=<id>`. */
async function unpublishWorkflow(home, id, { env } = {}) {
	return runN8n(home, ['unpublish:workflow', `--id=${id}`], { env });
}

module.exports = { newId, writeTempJson, importCredentials, importWorkflow, matchBracket, parseExecuteOutput, executeWorkflow, publishWorkflow, unpublishWorkflow };
