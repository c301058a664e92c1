import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

const HOUR_MS = 3_600_000;
/** 8 bytes of SHA-256 as base64url: 11 characters, 64 bits (a false match among 10^5 ids: ~3e-10). */
const PRINT_LENGTH = 11;

function fingerprint(id: string): string {
	return createHash('sha256').update(id).digest().toString('base64url', 0, 8);
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
 */
export class SeenIds {
	/** fingerprint -> hour of the lead's creation */
	private readonly prints = new Map<string, number>();

	static restore(stored: unknown): SeenIds {
		const seen = new SeenIds();
		if (typeof stored !== 'object' || stored === null) return seen;
		for (const [hour, prints] of Object.entries(stored as IDataObject)) {
			if (typeof prints !== 'string' || !/^-?\d+$/.test(hour)) continue;
			for (let i = 0; i + PRINT_LENGTH <= prints.length; i += PRINT_LENGTH) seen.prints.set(prints.slice(i, i + PRINT_LENGTH), Number(hour));
		}
		return seen;
	}

	has(id: string): boolean {
		return this.prints.has(fingerprint(id));
	}

	add(id: string, createdAtMs: number): void {
		const print = fingerprint(id);
		const hour = hourOf(createdAtMs);
		// Keep the latest hour a lead was seen at, so a re-read time never shortens how long it is kept.
		if ((this.prints.get(print) ?? -Infinity) < hour) this.prints.set(print, hour);
	}

	/** Forgets every lead created in an hour that ends before `ms`. */
	dropBefore(ms: number): void {
		const first = hourOf(ms);
		for (const [print, hour] of this.prints) if (hour < first) this.prints.delete(print);
	}

	count(): number {
		return this.prints.size;
	}

	toJSON(): IDataObject {
		const byHour = new Map<number, string[]>();
		for (const [print, hour] of this.prints) {
			const list = byHour.get(hour);
			if (list) list.push(print);
			else byHour.set(hour, [print]);
		}
		const stored: IDataObject = {};
		for (const hour of [...byHour.keys()].sort((a, b) => a - b)) stored[String(hour)] = byHour.get(hour)!.join('');
		return stored;
	}
}
