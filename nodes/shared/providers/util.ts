import type { IDataObject } from 'n8n-workflow';

export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first string-like value among `keys` of `record`. */
export function pick(record: IDataObject, ...keys: string[]): unknown {
	for (const key of keys) {
		if (record[key] !== undefined && record[key] !== null) return record[key];
	}
	return undefined;
}

/** The keys of a record that no mapped field took: kept in `fields` so nothing is lost. */
export function otherFields(record: IDataObject, taken: string[]): IDataObject {
	const fields: IDataObject = {};
	for (const [key, value] of Object.entries(record)) {
		if (!taken.includes(key)) fields[key] = value;
	}
	return fields;
}

export function messageOf(body: unknown): string | undefined {
	if (!isObject(body)) return undefined;
	const text = body.message ?? body.msg ?? body.error;
	return typeof text === 'string' && text.trim() ? text : undefined;
}
