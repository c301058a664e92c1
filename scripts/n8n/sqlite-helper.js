'use strict';
// Runs SQL against an n8n SQLite database and prints the rows as JSON.
//
// Must run under the Node 24 installed by install-n8n.sh: it loads the sqlite3 native addon
// from the n8n install, which is built for Node 24 (lib.js spawns it that way).
//
//   node24 sqlite-helper.js <n8nInstallDir>   < {"db": "/abs/database.sqlite",
//                                                 "statements": [{"sql": "...", "params": []}]}
//   stdout: {"results": [[row, ...], ...]}     (one array of rows per statement)
//   on error: message on stderr, exit code 1
const path = require('path');

function readStdin() {
	return new Promise((resolve, reject) => {
		let text = '';
		process.stdin.setEncoding('utf8');
		process.stdin.on('data', (chunk) => (text += chunk));
		process.stdin.on('end', () => resolve(text));
		process.stdin.on('error', reject);
	});
}

async function main() {
	const installDir = process.argv[2];
	if (!installDir) throw new Error('usage: sqlite-helper.js <n8nInstallDir> < request.json');
	const request = JSON.parse(await readStdin());
	const sqlite3 = require(path.join(installDir, 'node_modules', 'sqlite3'));

	// Read-write without CREATE: a missing database is an error, not a new empty file. n8n uses
	// WAL mode, so reading while n8n runs is fine; the busy timeout covers its short write locks.
	const db = await new Promise((resolve, reject) => {
		const handle = new sqlite3.Database(request.db, sqlite3.OPEN_READWRITE, (error) =>
			error ? reject(error) : resolve(handle),
		);
	});
	db.configure('busyTimeout', request.busyTimeoutMs || 15000);
	try {
		const results = [];
		for (const { sql, params } of request.statements) {
			results.push(
				await new Promise((resolve, reject) =>
					db.all(sql, params || [], (error, rows) => (error ? reject(error) : resolve(rows))),
				),
			);
		}
		process.stdout.write(JSON.stringify({ results }));
	} finally {
		await new Promise((resolve) => db.close(() => resolve()));
	}
}

main().catch((error) => {
	process.stderr.write(`sqlite-helper: ${error && error.stack ? error.stack : error}\n`);
	process.exit(1);
});
