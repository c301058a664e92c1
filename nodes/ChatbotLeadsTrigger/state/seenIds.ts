import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';
import { HOUR_MS } from '../../shared/lead/time';

/** 8 bytes of SHA-256 as base64url: 11 characters, 64 bits (a false match among 10^5 ids: ~3e-10). */
const PRINT_LENGTH = 11;
/** Cells of an hour's digest: each lead is in three of them, so a few differences decode (two: 55 in 56). */
const CELLS = 8;
const HASHES = 3;
const CELL_BYTES = 5;
const COUNT_BYTES = 2;
const BEFORE_KEY = 'digestedBefore';
/** All digests in one string: the first hour, a colon, then one digest per hour in a row. */
const DIGESTS_KEY = 'digests';
const DIGEST_CHARS = Math.ceil(((COUNT_BYTES + CELLS * CELL_BYTES) * 4) / 3);

function printBytes(id: string): Buffer {
	return createHash('sha256').update(id).digest().subarray(0, 8);
}

/** A lead id's 11-character fingerprint (also how the cursor remembers leads without a readable time). */
export function fingerprint(id: string): string {
	return printBytes(id).toString('base64url');
}

function hourOf(createdAtMs: number): number {
	return Math.floor(createdAtMs / HOUR_MS);
}

/** One cell of an hour's digest: how many leads are in it (modulo 256) and the XOR of their 32-bit prints. */
interface Cell {
	n: number;
	x: number;
}

/** The three distinct cells a print goes into, from bits of the print itself. */
function cellsOf(x: number): number[] {
	const cells: number[] = [];
	for (let bits = x; cells.length < HASHES; bits = Math.floor(bits / CELLS)) {
		const cell = bits % CELLS;
		if (!cells.includes(cell)) cells.push(cell);
		if (bits === 0) for (let c = 0; cells.length < HASHES; c++) if (!cells.includes(c)) cells.push(c);
	}
	return cells;
}

/**
 * The leads of one hour as a small invertible sketch (an invertible Bloom lookup table) and
 * their count: 56 characters whatever the number of leads. Two digests subtracted give back the few leads one
 * set has and the other has not, which is all a recheck of an old hour needs to know.
 */
class HourDigest {
	readonly cells: Cell[] = Array.from({ length: CELLS }, () => ({ n: 0, x: 0 }));

	/** How many leads it holds. */
	count = 0;

	static of(prints: Buffer[]): HourDigest {
		const digest = new HourDigest();
		for (const print of prints) digest.toggle(print.readUInt32BE(0), 1);
		return digest;
	}

	static restore(text: string): HourDigest | undefined {
		const bytes = Buffer.from(text, 'base64url');
		if (bytes.length !== COUNT_BYTES + CELLS * CELL_BYTES) return undefined;
		const digest = new HourDigest();
		digest.count = bytes.readUInt16BE(0);
		digest.cells.forEach((cell, i) => {
			const at = COUNT_BYTES + i * CELL_BYTES;
			cell.n = bytes.readUInt8(at);
			cell.x = bytes.readUInt32BE(at + 1);
		});
		return digest;
	}

	toggle(x: number, sign: number): void {
		this.count += sign;
		for (const index of cellsOf(x)) {
			const cell = this.cells[index];
			cell.n = (cell.n + sign + 256) % 256;
			cell.x = (cell.x ^ x) >>> 0;
		}
	}

	toString(): string {
		const bytes = Buffer.alloc(COUNT_BYTES + CELLS * CELL_BYTES);
		bytes.writeUInt16BE(Math.max(0, Math.min(65535, this.count)), 0);
		this.cells.forEach((cell, i) => {
			const at = COUNT_BYTES + i * CELL_BYTES;
			bytes.writeUInt8(cell.n, at);
			bytes.writeUInt32BE(cell.x, at + 1);
		});
		return bytes.toString('base64url');
	}

	/**
	 * The prints in `this` but not in `other` (+1) and the other way round (-1), peeled cell by
	 * cell; undefined when the difference is too big to tell them apart.
	 */
	minus(other: HourDigest): Array<{ sign: number; x: number }> | undefined {
		const diff = new HourDigest();
		diff.cells.forEach((cell, i) => {
			cell.n = (this.cells[i].n - other.cells[i].n + 256) % 256;
			cell.x = (this.cells[i].x ^ other.cells[i].x) >>> 0;
		});
		const found: Array<{ sign: number; x: number }> = [];
		for (let guard = 0; guard < 4 * CELLS; guard++) {
			const index = diff.cells.findIndex((cell, i) => (cell.n === 1 || cell.n === 255) && cellsOf(cell.x).includes(i));
			if (index < 0) break;
			const { n, x } = diff.cells[index];
			const sign = n === 1 ? 1 : -1;
			found.push({ sign, x });
			diff.toggle(x, -sign);
		}
		return diff.cells.every((cell) => cell.n === 0 && cell.x === 0) ? found : undefined;
	}
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
