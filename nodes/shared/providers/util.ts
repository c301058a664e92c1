import type { IDataObject } from 'n8n-workflow';

import { VendorResponseError } from '../types';

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

/** The { id, name } pairs of a list, wherever the vendor put the array and whatever it named the keys. */
export function namedItems(list: unknown, idKeys: string[], nameKeys: string[]): Array<{ id: string; name: string }> {
	const array = Array.isArray(list) ? list : isObject(list) && Array.isArray(list.data) ? list.data : undefined;
	if (!array) return [];
	return (array as unknown[]).filter(isObject).flatMap((item) => {
		const id = pick(item, ...idKeys);
		if (id === undefined) return [];
		const name = pick(item, ...nameKeys);
		return [{ id: String(id), name: name === undefined ? String(id) : String(name) }];
	});
}

export function listOrFail(items: Array<{ id: string; name: string }>, body: unknown, key: string) {
	if (items.length === 0 && !(isObject(body) && (Array.isArray(body[key]) || isObject(body[key])))) {
		throw new VendorResponseError(`the response has no ${key} list`, 'shape');
	}
	return items;
}
