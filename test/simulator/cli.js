#!/usr/bin/env node
'use strict';

/**
 * Runs the vendor simulator as its own process (for the n8n end-to-end test and the demo).
 *
 *   node test/simulator/cli.js [--port 5680] [--host 127.0.0.1] [--seed] [--verbose]
 *
 * Prints one line of JSON on stdout once listening: {"url", "baseUrls", "keys", "webhookSecrets"} (plus "seed"
 * with the demo ids when --seed is given), then runs until SIGINT/SIGTERM.
 * --port 0 picks a free port. --verbose logs each vendor request to stderr.
 */

const { startSimulator } = require('./simulator');

const USAGE = 'usage: node test/simulator/cli.js [--port 5680] [--host 127.0.0.1] [--seed] [--verbose]';

function parseArgs(argv) {
	const args = { port: 5680, host: '127.0.0.1', seed: false, verbose: false };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		const value = () => (inline !== undefined ? inline : argv[++i]);
		if (flag === '--port') args.port = Number(value());
		else if (flag === '--host') args.host = value();
		else if (flag === '--seed') args.seed = true;
		else if (flag === '--verbose') args.verbose = true;
		else if (flag === '--help' || flag === '-h') args.help = true;
		else throw new Error(`Unknown argument ${argv[i]}`);
	}
	if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error('--port must be 0..65535');
	if (!args.host) throw new Error('--host needs a value');
	return args;
}

function logRequest(entry) {
	const query = new URLSearchParams(entry.query).toString();
	const fault = entry.fault ? ` [fault: ${entry.fault}]` : '';
	process.stderr.write(`${entry.status ?? '---'} ${entry.vendor} ${entry.method} ${entry.path}${query ? `?${query}` : ''}${fault}\n`);
}

async function main() {
	let args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (err) {
		process.stderr.write(`${err.message}\n${USAGE}\n`);
		process.exit(2);
	}
	if (args.help) {
		process.stdout.write(`${USAGE}\n`);
		return;
	}

	const sim = await startSimulator({ port: args.port, host: args.host, onRequest: args.verbose ? logRequest : undefined });
	const seed = args.seed ? sim.seed() : undefined;
	process.stdout.write(`${JSON.stringify({ url: sim.url, baseUrls: sim.baseUrls, keys: sim.keys, webhookSecrets: sim.webhookSecrets, seed })}\n`);

	let stopping = false;
	const shutdown = () => {
		if (stopping) return;
		stopping = true;
		sim.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

main().catch((err) => {
	process.stderr.write(`simulator failed to start: ${err.message}\n`);
	process.exit(1);
});
