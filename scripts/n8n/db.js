'use strict';

/** Reading n8n's database (SQLite or Postgres): executions, static data, workflows, and what a run's nodes output. */

const fs = require('fs');
const os = require('os');
const path = require('path');

const { homePaths, homeConfig } = require('./home');
const { assertInstalled, paths, DEFAULT_VERSION } = require('./versions');
const { runProcess, tail } = require('./processes');
const { sleep } = require('./server');

// ------------------------------------------------------------------------------ database

function dbPath(home) {
	return path.join(home, '.n8n', 'database.sqlite');
}

/**
 * Runs SQL statements against <home>/.n8n/database.sqlite through sqlite-helper.js under Node 24
 * (the sqlite3 addon in the n8n install is built for Node 24). `statements` is one SQL string,
 * or an array of { sql, params }. Resolves the rows (or an array of row arrays for an array).
 */
async function querySqlite(home, statements, params) {
	const p = homePaths(home);
	assertInstalled(p.version);
	const file = dbPath(home);
	if (!fs.existsSync(file)) throw new Error(`no n8n database at ${file} (run an n8n command with this home first)`);
	const single = !Array.isArray(statements);
	const list = single ? [{ sql: statements, params: params || [] }] : statements;
	const { stdout } = await runProcess(p.node24, [p.sqliteHelper, p.installDir], {
		env: { PATH: `${p.node24BinDir}${path.delimiter}${process.env.PATH || ''}`, HOME: os.homedir() },
		input: JSON.stringify({ db: file, statements: list }),
		timeoutMs: 60000,
		label: 'sqlite-helper',
	});
	const { results } = JSON.parse(stdout);
	return single ? results[0] : results;
}

/** True when the home's n8n uses Postgres (configureN8nHome env DB_TYPE=postgresdb). */
function usesPostgres(home) {
	return homeConfig(home).env.DB_TYPE === 'postgresdb';
}

/**
 * Runs SQL statements against a home's Postgres database (DB_POSTGRESDB_* of its config) through
 * pg-helper.js, with n8n's own `pg` module under Node 24. Placeholders are `?` as for SQLite
 * (turned into $1, $2 ...); quote camelCase columns ("workflowId"). Same results as querySqlite.
 */
async function queryPostgres(home, statements, params) {
	const p = homePaths(home);
	assertInstalled(p.version);
	const env = homeConfig(home).env;
	const connection = {
		host: env.DB_POSTGRESDB_HOST || '127.0.0.1',
		port: Number(env.DB_POSTGRESDB_PORT || 5432),
		user: env.DB_POSTGRESDB_USER || 'postgres',
		password: env.DB_POSTGRESDB_PASSWORD || undefined,
		database: env.DB_POSTGRESDB_DATABASE || 'n8n',
	};
	const single = !Array.isArray(statements);
	const list = (single ? [{ sql: statements, params: params || [] }] : statements).map(({ sql, params: values }) => {
		let n = 0;
		return { sql: sql.replace(/\?/g, () => `$${++n}`), params: values || [] };
	});
	const { stdout } = await runProcess(p.node24, [p.pgHelper, p.installDir], {
		env: { PATH: `${p.node24BinDir}${path.delimiter}${process.env.PATH || ''}`, HOME: os.homedir() },
		input: JSON.stringify({ connection, statements: list }),
		timeoutMs: 60000,
		label: 'pg-helper',
	});
	const { results } = JSON.parse(stdout);
	return single ? results[0] : results;
}

/**
 * SQL against the home's n8n database, whichever it is (SQLite file or Postgres): `?`
 * placeholders, camelCase columns in double quotes (valid in both).
 */
function queryDb(home, statements, params) {
	return usesPostgres(home) ? queryPostgres(home, statements, params) : querySqlite(home, statements, params);
}

/** Whether the home's database exists yet (Postgres: assumed, it is created before n8n runs). */
function hasDatabase(home) {
	return usesPostgres(home) || fs.existsSync(dbPath(home));
}

let flatted = null;

function loadFlatted() {
	// n8n stores execution data with `flatted` (circular-safe JSON); it is pure JS, so Node 20
	// can use the copy in the n8n install.
	if (!flatted) flatted = require(path.join(paths(DEFAULT_VERSION).installDir, 'node_modules', 'flatted'));
	return flatted;
}

/** SQLite datetime text ('2026-01-02 03:04:05.678', UTC) -> ISO string. */
function sqliteDate(value) {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return new Date(value).toISOString();
	const text = String(value);
	return /^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'}` : text;
}

function parseJsonColumn(value) {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/**
 * Executions from the database, oldest first, optionally for one workflow. Each is
 * { id, workflowId, mode, status, finished, startedAt, stoppedAt, createdAt, retryOf, storedAt,
 *   data, workflowData } with `data` the parsed run data (IRunExecutionData:
 * { resultData: { runData, error?, lastNodeExecuted } ... }), so nodeOutput(execution, name)
 * works as for executeWorkflow's result. Options: includeData (default true), status, limit,
 * afterId (only ids greater than this). Soft-deleted executions are skipped.
 * Data stored outside the DB (storedAt 'fs'/'s3') is not read: data is then null.
 */
async function readExecutions(home, workflowId, { includeData = true, status, limit, afterId } = {}) {
	const where = ['e."deletedAt" IS NULL'];
	const params = [];
	if (workflowId) {
		where.push('e."workflowId" = ?');
		params.push(String(workflowId));
	}
	if (status) {
		where.push('e.status = ?');
		params.push(status);
	}
	if (afterId !== undefined && afterId !== null) {
		where.push('e.id > ?');
		params.push(Number(afterId));
	}
	// e.* rather than a column list: the columns differ between n8n versions (1.x has no storedAt).
	const columns = includeData ? ', d."data" AS "data", d."workflowData" AS "workflowData"' : '';
	const sql =
		`SELECT e.*${columns} FROM execution_entity e ` +
		`${includeData ? 'LEFT JOIN execution_data d ON d."executionId" = e.id ' : ''}` +
		`WHERE ${where.join(' AND ')} ORDER BY e.id ASC${limit ? ` LIMIT ${Number(limit)}` : ''}`;
	const rows = await queryDb(home, sql, params);
	return rows.map((row) => {
		const execution = {
			id: String(row.id),
			workflowId: row.workflowId,
			mode: row.mode,
			status: row.status,
			finished: Boolean(row.finished),
			startedAt: sqliteDate(row.startedAt),
			stoppedAt: sqliteDate(row.stoppedAt),
			createdAt: sqliteDate(row.createdAt),
			retryOf: row.retryOf || null,
			storedAt: row.storedAt === undefined ? null : row.storedAt,
		};
		if (includeData) {
			execution.data = row.data ? loadFlatted().parse(row.data) : null;
			execution.workflowData = parseJsonColumn(row.workflowData);
		}
		return execution;
	});
}

/**
 * Polls readExecutions until at least `count` executions of the workflow have finished (status
 * other than new/running/waiting), then resolves them. Options: count (1), timeoutMs (90 s),
 * intervalMs (500), afterId, includeData, server (a startN8n handle: fail fast if it exited).
 */
async function waitForExecutions(
	home,
	workflowId,
	{ count = 1, timeoutMs = 90000, intervalMs = 500, afterId, includeData = true, server } = {},
) {
	const deadline = Date.now() + timeoutMs;
	const pending = new Set(['new', 'running', 'waiting']);
	for (;;) {
		let done = [];
		if (hasDatabase(home)) {
			const all = await readExecutions(home, workflowId, { includeData: false, afterId });
			done = all.filter((e) => !pending.has(e.status));
		}
		if (done.length >= count) {
			return includeData ? (await readExecutions(home, workflowId, { afterId })).filter((e) => !pending.has(e.status)) : done;
		}
		if (server && (server.process.exitCode !== null || server.process.signalCode !== null)) {
			throw new Error(`n8n exited while waiting for executions\n${tail(server.output())}`);
		}
		if (Date.now() > deadline) {
			throw new Error(
				`waitForExecutions: ${done.length}/${count} finished executions of ${workflowId} after ${timeoutMs} ms` +
					(server ? `\n--- n8n output\n${tail(server.output())}` : ''),
			);
		}
		await sleep(intervalMs);
	}
}

/** workflow_entity.staticData of a workflow, parsed (null when none was ever saved). */
async function readStaticData(home, workflowId) {
	const rows = await queryDb(home, 'SELECT "staticData" FROM workflow_entity WHERE id = ?', [String(workflowId)]);
	if (!rows.length) throw new Error(`readStaticData: no workflow ${workflowId}`);
	return parseJsonColumn(rows[0].staticData);
}

/** The durable poll cursors n8n 2.41 keeps per (workflow, node) in poller_state, cursor parsed. */
async function readPollerState(home, workflowId) {
	const rows = await queryDb(
		home,
		'SELECT "workflowId", "nodeId", "cursor", "consecutiveErrors", "backoffUntil", "updatedAt" FROM poller_state WHERE "workflowId" = ?',
		[String(workflowId)],
	);
	return rows.map((r) => ({
		...r,
		cursor: parseJsonColumn(r.cursor),
		backoffUntil: sqliteDate(r.backoffUntil),
		updatedAt: sqliteDate(r.updatedAt),
	}));
}

/** The workflow_entity row (nodes/connections/settings/staticData parsed), or null. */
async function readWorkflow(home, workflowId) {
	const rows = await queryDb(home, 'SELECT * FROM workflow_entity WHERE id = ?', [String(workflowId)]);
	if (!rows.length) return null;
	const row = rows[0];
	for (const key of ['nodes', 'connections', 'settings', 'staticData', 'pinData', 'meta']) row[key] = parseJsonColumn(row[key]);
	row.active = Boolean(row.active);
	return row;
}

// ------------------------------------------------------------------------------ run helpers

function runDataOf(run) {
	const data = run && run.data;
	return (data && data.resultData && data.resultData.runData) || {};
}

/**
 * The `json` of the items a node output in a run (from executeWorkflow or readExecutions).
 * Returns [] when the node ran without output, undefined when it did not run.
 */
function nodeOutput(run, nodeName, { runIndex = 0, outputIndex = 0 } = {}) {
	const runs = runDataOf(run)[nodeName];
	if (!runs || !runs[runIndex]) return undefined;
	const main = runs[runIndex].data && runs[runIndex].data.main;
	const items = (main && main[outputIndex]) || [];
	return items.map((item) => item.json);
}

/** The run's top-level error ({ message, description, node ... }) or null. */
function runError(run) {
	return (run && run.data && run.data.resultData && run.data.resultData.error) || null;
}

module.exports = { dbPath, querySqlite, usesPostgres, queryPostgres, queryDb, hasDatabase, flatted, loadFlatted, sqliteDate, parseJsonColumn, readExecutions, waitForExecutions, readStaticData, readPollerState, readWorkflow, runDataOf, nodeOutput, runError };
