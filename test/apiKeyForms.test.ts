/**
 * An API key pasted with spaces or a line break around it: the credential sends it trimmed, so it
 * still authenticates, and no form of it (as pasted, trimmed, URL-encoded) reaches an error that a
 * user, a log or an error workflow sees. Keys here hold characters that URL-encoding changes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { redact } from '../nodes/shared/transport/errors';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { testCredential } from './harness/n8n';
import { generate, runLeads } from './helpers';
import { startSimulator, type Simulator } from './simulator';

/** 'sk/Chatbase+Key=01', 'sk/Chatzuri+Key=02', …: one per vendor. */
const KEYS: Record<string, string> = Object.fromEntries(
	FIXTURES.map((fixture, index) => [fixture.vendor, `sk/${fixture.vendor[0].toUpperCase()}${fixture.vendor.slice(1)}+Key=${String(index + 1).padStart(2, '0')}`]),
);

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ keys: KEYS });
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => sim.reset());

/** Everything of an error a user, a log or an error workflow could see. */
function visible(error: Error & { description?: unknown }): string {
	return JSON.stringify({ ...error, message: error.message, description: error.description, stack: error.stack });
}

async function runError(fixture: VendorFixture, apiKey: string): Promise<Error & { description?: unknown }> {
	try {
		await runLeads(sim, fixture, { returnAll: true }, { apiKey });
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the node to fail');
}

/** The Authorization headers a credential test sends, as a server receives them. */
async function authorizationSent(fixture: VendorFixture, apiKey: string): Promise<string[]> {
	const seen: string[] = [];
	const server = createServer((req, res) => {
		seen.push(String(req.headers.authorization));
		res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		await testCredential({ credentialTypes: ALL_CREDENTIALS, credentialType: fixture.credentialType, data: { apiKey, baseUrl } });
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
	return seen;
}

/** The key as it may come back: trimmed, URL-encoded (upper- and lower-case hex), and as pasted (JSON-escaped). */
function formsOf(key: string, pasted: string): string[] {
	const encoded = encodeURIComponent(key);
	return [key, encoded, encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), JSON.stringify(pasted).slice(1, -1)];
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('a pasted %s key', (_name, fixture) => {
	const key = KEYS[fixture.vendor];
	const pasted = `  ${key} \n`;

	test('with spaces and a trailing newline still authenticates, in the node and the credential test', async () => {
		const stored = generate(sim, fixture, 3);
		const items = await runLeads(sim, fixture, { returnAll: true }, { apiKey: pasted });
		expect(items).toHaveLength(stored.length);
		const data = { apiKey: pasted, baseUrl: sim.baseUrls[fixture.vendor] };
		expect(await testCredential({ credentialTypes: ALL_CREDENTIALS, credentialType: fixture.credentialType, data })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	test('is sent trimmed: exactly "Bearer <key>"', async () => {
		expect(await authorizationSent(fixture, pasted)).toEqual([`Bearer ${key}`]);
		expect(await authorizationSent(fixture, `\t${key}\r\n`)).toEqual([`Bearer ${key}`]);
	});

	test('an empty or blank key is refused by the vendor (HTTP 401), not by the header expression', async () => {
		for (const apiKey of ['', ' \n']) {
			const error = await runError(fixture, apiKey);
			expect(error.message).toMatch(/rejected the API key \(HTTP 401\)/);
		}
	});

	test('never appears in an error, even when the vendor echoes it back URL-encoded', async () => {
		const [, encoded, lowerHex] = formsOf(key, pasted);
		const echo = `Unknown API key ${encoded} (as sent: ${lowerHex}); you typed "${pasted}", that is ${key}.`;
		sim.injectFault(fixture.vendor, { kind: 'status', status: 401, body: echo, times: Infinity });
		const error = await runError(fixture, pasted);
		expect(error.message).toMatch(/rejected the API key \(HTTP 401\)/);
		expect(String(error.description)).toMatch(/said: Unknown API key \[redacted\]/);
		for (const form of formsOf(key, pasted)) expect(visible(error)).not.toContain(form);
	});

	test('never appears in an error when the vendor echoes the Authorization header', async () => {
		sim.injectFault(fixture.vendor, { kind: 'echoAuth', status: 401, times: Infinity });
		const error = await runError(fixture, pasted);
		expect(error.message).toMatch(/rejected the API key \(HTTP 401\)/);
		for (const form of formsOf(key, pasted)) expect(visible(error)).not.toContain(form);
	});
});

describe('redact', () => {
	const key = 'ab/cd+ef=gh ij';

	test.each([
		['as given', `x ${key} y`],
		['URL-encoded', `x ${encodeURIComponent(key)} y`],
		['URL-encoded in lower-case hex', `x ${encodeURIComponent(key).toLowerCase()} y`],
		['form-encoded (spaces as +)', `x ${encodeURIComponent(key).replace(/%20/g, '+')} y`],
		['without its inner space', `x ab/cd+ef=ghij y`],
		['with its inner space as a line break', `x ab/cd+ef=gh\nij y`],
	])('removes the key %s', (_form, text) => {
		expect(redact(text, `  ${key}\n`)).toBe('x [redacted] y');
	});

	test('leaves keys shorter than 4 characters, and other text, alone', () => {
		expect(redact('the abc of it', ' abc \n')).toBe('the abc of it');
		expect(redact('nothing to see', 'sk/other+key')).toBe('nothing to see');
	});
});
