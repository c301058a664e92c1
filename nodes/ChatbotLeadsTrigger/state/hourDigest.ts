import { createHash } from 'crypto';

/** Cells of an hour's digest: each lead is in three of them, so a few differences decode (two: 55 in 56). */
const CELLS = 8;
const HASHES = 3;
const CELL_BYTES = 5;
const COUNT_BYTES = 2;
/** The characters one hour's digest takes, base64url. */
export const DIGEST_CHARS = Math.ceil(((COUNT_BYTES + CELLS * CELL_BYTES) * 4) / 3);

/** The first 8 bytes of a lead id's SHA-256: its fingerprint, and its print in a digest. */
export function printBytes(id: string): Buffer {
	return createHash('sha256').update(id).digest().subarray(0, 8);
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
export class HourDigest {
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
