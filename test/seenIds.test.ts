/**
 * SeenIds' digests (issue 19, stored state): an old hour kept as a 56-character sketch still tells
 * a recheck which of its leads are new, after a save and restore.
 */
import { SeenIds } from '../nodes/ChatbotLeadsTrigger/state/seenIds';

const HOUR = 3_600_000;
const base = 490_000 * HOUR;
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** 40 leads in one hour, then that hour digested and the state saved and restored. */
function digestedHour(known: string[]): SeenIds {
	const seen = new SeenIds();
	known.forEach((id, i) => seen.add(id, base + i * 60_000));
	seen.digestBefore(base + HOUR);
	return SeenIds.restore(JSON.parse(JSON.stringify(seen.toJSON())));
}

describe('SeenIds digests', () => {
	const known = ids('lead', 40);

	test('a digested hour is small and no longer answers has(); a later hour still does', () => {
		const seen = new SeenIds();
		known.forEach((id, i) => seen.add(id, base + i * 60_000));
		seen.add('next-hour', base + HOUR + 1);
		seen.digestBefore(base + HOUR);
		const stored = seen.toJSON();
		expect(stored.digests).toBe(`${base / HOUR}:${String(stored.digests).split(':')[1]}`);
		expect(String(stored.digests).split(':')[1]).toHaveLength(56);
		expect(stored[String(base / HOUR)]).toBeUndefined();
		expect(seen.has('lead-3')).toBe(false);
		expect(seen.isDigested(base + 5)).toBe(true);
		expect(seen.has('next-hour')).toBe(true);
	});

	test('nothing new, one new, two new, and a deleted lead are told apart exactly', () => {
		expect(digestedHour(known).reconcileHour(base / HOUR, known)).toEqual([]);
		expect(digestedHour(known).reconcileHour(base / HOUR, [...known, 'late-1'])).toEqual(['late-1']);
		const two = digestedHour(known).reconcileHour(base / HOUR, [...known, 'late-1', 'late-2']);
		// Two differences decode unless both fall into the same two cells (then: 'unknown', all emitted).
		if (two !== 'unknown') expect([...two].sort()).toEqual(['late-1', 'late-2']);
		expect(digestedHour(known).reconcileHour(base / HOUR, known.slice(1))).toEqual([]);
		expect(digestedHour(known).reconcileHour(base / HOUR, [...known.slice(1), 'late-1'])).toEqual(['late-1']);
	});

	test('two late leads decode in most pairs; a flood of changes says unknown rather than guess', () => {
		let decoded = 0;
		for (let pair = 0; pair < 60; pair++) {
			const outcome = digestedHour(known).reconcileHour(base / HOUR, [...known, `a-${pair}`, `b-${pair}`]);
			if (outcome !== 'unknown') {
				expect([...outcome].sort()).toEqual([`a-${pair}`, `b-${pair}`]);
				decoded++;
			}
		}
		expect(decoded).toBeGreaterThan(54);
		expect(digestedHour(known).reconcileHour(base / HOUR, [...known, ...ids('flood', 12)])).toBe('unknown');
	});

	test('a read cut short (a vendor page missing) emits nothing and forgets nothing: the next whole read still finds the late lead', () => {
		const seen = digestedHour(known);
		expect(seen.reconcileHour(base / HOUR, known.slice(0, 20))).toEqual([]);
		expect(seen.reconcileHour(base / HOUR, [...known.slice(0, 20), 'late-1'])).toEqual([]);
		const again = SeenIds.restore(JSON.parse(JSON.stringify(seen.toJSON())));
		expect(again.reconcileHour(base / HOUR, [...known, 'late-1'])).toEqual(['late-1']);
		expect(again.reconcileHour(base / HOUR, [...known, 'late-1'])).toEqual([]);
	});

	test('after a reconcile the hour holds what was read: the same leads again are not new', () => {
		const seen = digestedHour(known);
		expect(seen.reconcileHour(base / HOUR, [...known, 'late-1'])).toEqual(['late-1']);
		const again = SeenIds.restore(JSON.parse(JSON.stringify(seen.toJSON())));
		expect(again.reconcileHour(base / HOUR, [...known, 'late-1'])).toEqual([]);
	});

	test('digests of hours apart are stored in one row, the hours between as empty ones', () => {
		const seen = new SeenIds();
		seen.add('a', base);
		seen.add('b', base + 3 * HOUR);
		seen.digestBefore(base + 4 * HOUR);
		const row = String(seen.toJSON().digests).split(':')[1];
		expect(row).toHaveLength(4 * 56);
		const restored = SeenIds.restore(JSON.parse(JSON.stringify(seen.toJSON())));
		expect(restored.reconcileHour(base / HOUR + 3, ['b', 'late'])).toEqual(['late']);
		expect(restored.reconcileHour(base / HOUR + 1, ['late-2'])).toEqual(['late-2']);
	});

	test('an hour digested with no leads: every lead read there later is new', () => {
		const seen = new SeenIds();
		seen.add('later', base + 2 * HOUR);
		seen.digestBefore(base + HOUR);
		expect(seen.reconcileHour(base / HOUR, ['late-1'])).toEqual(['late-1']);
	});

	test('a state saved before digests existed reads as before', () => {
		const seen = new SeenIds();
		known.forEach((id, i) => seen.add(id, base + i * 60_000));
		const restored = SeenIds.restore(JSON.parse(JSON.stringify(seen.toJSON())));
		expect(restored.has('lead-7')).toBe(true);
		expect(restored.isDigested(base)).toBe(false);
	});
});
