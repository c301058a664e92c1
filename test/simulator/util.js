'use strict';

/** Small helpers the simulator core and the vendor plug-ins share: copies, hashes, fake people. */

const crypto = require('crypto');

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises'];

function clone(value) {
	return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** 32-bit FNV-1a: a cheap, stable hash for seeding the shuffle and picking fake values. */
function hash32(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

/** mulberry32 PRNG: the same seed gives the same sequence, so "random" order is repeatable. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A UUID-shaped string derived from `seed`, so generated data is the same on every run. */
function deterministicUuid(seed) {
	const h = crypto.createHash('sha1').update(seed).digest('hex');
	const variant = '89ab'[parseInt(h[16], 16) % 4];
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function person(n) {
	const first = FIRST_NAMES[n % FIRST_NAMES.length];
	const last = LAST_NAMES[(n * 7) % LAST_NAMES.length];
	return {
		name: `${first} ${last}`,
		email: `${first}.${last}.${n}@example.com`.toLowerCase(),
		phone: `+1555${String(1000000 + n).slice(-7)}`,
		company: COMPANIES[n % COMPANIES.length],
	};
}

module.exports = { clone, hash32, prng, deterministicUuid, person };

/** The first group of `pattern` in `path`, URL-decoded (as given when it does not decode); undefined when no match. */
function decodedMatch(pattern, path) {
	const m = pattern.exec(path);
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]);
	} catch {
		return m[1];
	}
}

module.exports.decodedMatch = decodedMatch;
