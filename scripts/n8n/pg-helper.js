'use strict';
// Runs SQL against an n8n Postgres database and prints the rows as JSON: the Postgres twin of
// sqlite-helper.js. It uses the `pg` module from the n8n install (lib.js runs it with that
// install's Node 24), so the project needs no database driver.
//
//   node24 pg-helper.js <n8nInstallDir>   < {"connection": {"host","port","user","password"?,"database"},
//                                             "statements": [{"sql": "... $1 ...", "params": []}]}
//   stdout: {"results": [[row, ...], ...]}   (one array of rows per statement; timestamps as ISO text)
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
	if (!installDir) throw new Error('usage: pg-helper.js <n8nInstallDir> < request.json');
	const request = JSON.parse(await readStdin());
	const { Client } = require(path.join(installDir, 'node_modules', 'pg'));
	const client = new Client({ ...request.connection, connectionTimeoutMillis: 15000, statement_timeout: 30000 });
	await client.connect();
	try {
		const results = [];
		for (const { sql, params } of request.statements) {
			results.push((await client.query(sql, params || [])).rows);
		}
		process.stdout.write(JSON.stringify({ results }));
	} finally {
		await client.end();
	}
}

main().catch((error) => {
	process.stderr.write(`pg-helper: ${error && error.stack ? error.stack : error}\n`);
	process.exit(1);
});
