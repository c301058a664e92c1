import { createHash } from 'crypto';

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const entries = Object.keys(value as object)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * An id for a record the vendor gave none: a hash of what identifies it, independent of key
 * order, so the same lead gets the same id on every call.
 */
export function derivedLeadId(prefix: string, identity: unknown): string {
	// Hex of the first 12 bytes: the same id as slicing the full hex, without keeping the 64-char string alive.
	return `${prefix}_${createHash('sha256').update(stableJson(identity)).digest().toString('hex', 0, 12)}`;
}
