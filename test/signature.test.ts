import { createHmac } from 'node:crypto';

import { signatureMatches } from '../nodes/ChatbotLeadsInstantTrigger/signature';

const SECRET = 'whsec_test_secret';
const body = Buffer.from('{"eventType":"lead.submit","payload":{"customerName":"Zoë"}}', 'utf8');
const digest = (algorithm: 'sha1' | 'sha256', encoding: 'hex' | 'base64' | 'base64url', key = SECRET) =>
	createHmac(algorithm, key).update(body).digest(encoding);

describe('signatureMatches (HMAC of the raw body, constant-time compare)', () => {
	test.each([
		['bare hex SHA-1 (Chatbase, older Chatzuri)', digest('sha1', 'hex'), ['sha1']],
		['sha256= hex (Chatzuri)', `sha256=${digest('sha256', 'hex')}`, ['sha256', 'sha1']],
		['sha256= base64 (Chatzuri)', `sha256=${digest('sha256', 'base64')}`, ['sha256', 'sha1']],
		['sha256= URL-safe base64', `sha256=${digest('sha256', 'base64url')}`, ['sha256']],
		['upper-case hex and prefix, with spaces around', `  SHA256=${digest('sha256', 'hex').toUpperCase()} `, ['sha256']],
		['unprefixed: the algorithm follows from the digest length', digest('sha256', 'base64'), ['sha256', 'sha1']],
		['older SHA-1 form under the Chatzuri header', `sha1=${digest('sha1', 'hex')}`, ['sha256', 'sha1']],
	] as const)('accepts %s', (_name, header, algorithms) => {
		expect(signatureMatches(body, header, SECRET, algorithms)).toBe(true);
	});

	test.each([
		['a missing header', undefined, ['sha1']],
		['an empty header', '  ', ['sha1']],
		['another secret', digest('sha1', 'hex', 'other'), ['sha1']],
		['a SHA-256 digest where only SHA-1 is accepted (Chatbase)', digest('sha256', 'hex'), ['sha1']],
		['an algorithm the vendor does not use', `sha512=${createHmac('sha512', SECRET).update(body).digest('hex')}`, ['sha256', 'sha1']],
		['a SHA-256 digest labelled sha1=', `sha1=${digest('sha256', 'hex')}`, ['sha256', 'sha1']],
		['a truncated digest', digest('sha1', 'hex').slice(0, 38), ['sha1']],
		['text that is neither hex nor base64', 'not a signature!', ['sha1']],
	] as const)('refuses %s', (_name, header, algorithms) => {
		expect(signatureMatches(body, header, SECRET, algorithms)).toBe(false);
	});

	test('covers the bytes, not the JSON they mean: one added space fails', () => {
		const header = digest('sha1', 'hex');
		expect(signatureMatches(Buffer.concat([body, Buffer.from(' ')]), header, SECRET, ['sha1'])).toBe(false);
	});

	test('an empty secret never matches, even a signature made with an empty key', () => {
		expect(signatureMatches(body, digest('sha1', 'hex', ''), '', ['sha1'])).toBe(false);
	});
});
