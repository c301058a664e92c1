import type { IDataObject } from 'n8n-workflow';

import { HOUR_MS } from '../../shared/lead/time';
import { DIGEST_CHARS, HourDigest, printBytes } from './hourDigest';

/** 8 bytes of SHA-256 as base64url: 11 characters, 64 bits (a false match among 10^5 ids: ~3e-10). */
const PRINT_LENGTH = 11;
/** Where hours before the digests begin are marked as read whole. */
const BEFORE_KEY = 'digestedBefore';
/** All digests in one string: the first hour, a colon, then one digest per hour in a row. */
const DIGESTS_KEY = 'digests';

/** A lead id's 11-character fingerprint (also how the cursor remembers leads without a readable time). */
export function fingerprint(id: string): string {
	return printBytes(id).toString('base64url');
}

function hourOf(createdAtMs: number): number {
	return Math.floor(createdAtMs / HOUR_MS);
}

/**
 * The ids of leads already seen, as fixed-length fingerprints grouped by the hour their lead was
 * created in, so whole hours are dropped once they fall out of the recheck period. Stored as
 * `{ "<hour>": "<fp><fp>..." }`: about 11 bytes a lead instead of the id and its time. Lookups
 * ignore the hour: if the lead's time is read differently later (the user fixed the Time Zone
 * option), it is still known.
 *
 * Hours that only a recheck reads again are kept as digests instead (`"digests"`, see HourDigest):
 * a recheck that read such an hour whole tells its new leads by comparing digests.
 */
export class SeenIds {
	/** fingerprint -> hour of the lead's creation */
	private readonly prints = new Map<string, number>();

	private readonly digests = new Map<number, HourDigest>();

	/** Hours before this one are digests. */
	private digestedBefore = -Infinity;

	static restore(stored: unknown): SeenIds {
		const seen = new SeenIds();
		if (typeof stored !== 'object' || stored === null) return seen;
		for (const [key, value] of Object.entries(stored as IDataObject)) {
			if (key === BEFORE_KEY && typeof value === 'number') seen.digestedBefore = value;
			if (typeof value !== 'string') continue;
			if (key === DIGESTS_KEY) seen.restoreDigests(value);
			else if (/^-?\d+$/.test(key)) {
				for (let i = 0; i + PRINT_LENGTH <= value.length; i += PRINT_LENGTH) seen.prints.set(value.slice(i, i + PRINT_LENGTH), Number(key));
			}
		}
		return seen;
	}

	private restoreDigests(text: string): void {
		const [first, row] = text.split(':');
		if (!/^-?\d+$/.test(first) || row === undefined) return;
		for (let i = 0; (i + 1) * DIGEST_CHARS <= row.length; i++) {
			const digest = HourDigest.restore(row.slice(i * DIGEST_CHARS, (i + 1) * DIGEST_CHARS));
			if (digest && digest.count > 0) this.digests.set(Number(first) + i, digest);
		}
	}

	has(id: string): boolean {
		return this.prints.has(fingerprint(id));
	}

	/** Whether leads created at `ms` are kept as a digest (only a whole-hour recheck can tell which are new). */
	isDigested(ms: number): boolean {
		return hourOf(ms) < this.digestedBefore;
	}

	digestHours(): number[] {
		return [...this.digests.keys()];
	}

	/** Remembers a lead; one in a digested hour only through `reconcileHour`. */
	add(id: string, createdAtMs: number): void {
		if (this.isDigested(createdAtMs)) return;
		const print = fingerprint(id);
		const hour = hourOf(createdAtMs);
		// Keep the latest hour a lead was seen at, so a re-read time never shortens how long it is kept.
		if ((this.prints.get(print) ?? -Infinity) < hour) this.prints.set(print, hour);
	}

	/** Forgets every lead created in an hour that ends before `ms`. */
	dropBefore(ms: number): void {
		const first = hourOf(ms);
		for (const [print, hour] of this.prints) if (hour < first) this.prints.delete(print);
		for (const hour of this.digests.keys()) if (hour < first) this.digests.delete(hour);
	}

	/** Turns the hours that end before `ms` into digests. */
	digestBefore(ms: number): void {
		const first = hourOf(ms);
		if (first <= this.digestedBefore) return;
		const byHour = new Map<number, Buffer[]>();
		for (const [print, hour] of this.prints) {
			if (hour >= first) continue;
			this.prints.delete(print);
			byHour.set(hour, [...(byHour.get(hour) ?? []), Buffer.from(print, 'base64url')]);
		}
		for (const [hour, prints] of byHour) this.digests.set(hour, HourDigest.of(prints));
		this.digestedBefore = first;
	}

	/**
	 * A recheck read the leads of a digested hour: the ids among them not seen before, which join
	 * the digest. Leads it holds that were not read stay in it: a page cut short is not a deletion.
	 * When too much differs to tell: nothing, if no more leads were read than it holds (most likely
	 * a read cut short; the next recheck looks again), else 'unknown' and the read becomes the digest.
	 */
	reconcileHour(hour: number, ids: string[]): string[] | 'unknown' {
		const prints = new Map(ids.map((id) => [printBytes(id).readUInt32BE(0), id]));
		const read = HourDigest.of([...prints.keys()].map((x) => Buffer.from(x.toString(16).padStart(8, '0'), 'hex')));
		const stored = this.digests.get(hour) ?? new HourDigest();
		const diff = read.minus(stored);
		if (!diff) {
			if (prints.size <= stored.count) return [];
			this.digests.set(hour, read);
			return 'unknown';
		}
		const fresh: string[] = [];
		for (const { sign, x } of diff) {
			const id = prints.get(x);
			if (sign !== 1 || id === undefined) continue;
			fresh.push(id);
			stored.toggle(x, 1);
		}
		this.digests.set(hour, stored);
		return fresh;
	}

	toJSON(): IDataObject {
		const byHour = new Map<number, string[]>();
		for (const [print, hour] of this.prints) {
			const list = byHour.get(hour);
			if (list) list.push(print);
			else byHour.set(hour, [print]);
		}
		const stored: IDataObject = {};
		const hours = [...this.digests.keys()];
		if (hours.length > 0) {
			const first = Math.min(...hours);
			const row: string[] = [];
			for (let hour = first; hour <= Math.max(...hours); hour++) row.push((this.digests.get(hour) ?? new HourDigest()).toString());
			stored[DIGESTS_KEY] = `${first}:${row.join('')}`;
		}
		for (const hour of [...byHour.keys()].sort((a, b) => a - b)) stored[String(hour)] = byHour.get(hour)!.join('');
		if (Number.isFinite(this.digestedBefore)) stored[BEFORE_KEY] = this.digestedBefore;
		return stored;
	}
}
