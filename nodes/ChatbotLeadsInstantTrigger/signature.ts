import { createHmac, timingSafeEqual } from 'crypto';

import type { HmacAlgorithm } from '../shared/vendors/types';

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32 };
const PREFIXED = /^(sha1|sha256)=(.*)$/i;
const HEX = /^[0-9a-f]+$/i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The bytes a signature text may stand for: hex, or base64 (standard or URL-safe). */
function decodings(text: string): Buffer[] {
	const candidates: Buffer[] = [];
	if (HEX.test(text) && text.length % 2 === 0) candidates.push(Buffer.from(text, 'hex'));
	if (BASE64.test(text)) candidates.push(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
	return candidates;
}

/**
 * Whether `header` is a valid HMAC of the raw request bytes with `secret`. The header may name
 * its algorithm (`sha256=…`, `sha1=…`) or leave it to the digest's length; the digest may be hex
 * or base64. Compared in constant time, over the bytes as received (never re-serialized JSON).
 */
export function signatureMatches(
	rawBody: Buffer,
	header: string | undefined,
	secret: string,
	algorithms: readonly HmacAlgorithm[],
): boolean {
	const text = (header ?? '').trim();
	if (text === '' || secret === '') return false;
	const prefixed = PREFIXED.exec(text);
	const named = prefixed ? (prefixed[1].toLowerCase() as HmacAlgorithm) : undefined;
	if (named && !algorithms.includes(named)) return false;
	const candidates = decodings(prefixed ? prefixed[2].trim() : text);
	let matched = false;
	for (const algorithm of named ? [named] : algorithms) {
		const expected = createHmac(algorithm, secret).update(rawBody).digest();
		for (const candidate of candidates) {
			// Equal lengths (the algorithm's digest size) are public; only then compare, in constant time.
			if (candidate.length === DIGEST_BYTES[algorithm] && timingSafeEqual(candidate, expected)) matched = true;
		}
	}
	return matched;
}
