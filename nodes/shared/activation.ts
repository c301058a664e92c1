import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import type { ChatbotCursorState } from './cursor';

/** Key in the workflow's global static data. */
const RECORD_KEY = 'chatbotLeadsTriggerStarts';
const ADOPTED_KEEP = 10;

/**
 * The cursors a poll started from nothing (the activation poll, or a chatbot new to the trigger),
 * kept a second time in the workflow's *global* static data. Under n8n's durable scheduler with
 * durable cursors the activation poll's node static data is a staged copy that n8n drops, while
 * global static data is saved by the activation; the next poll takes these cursors over instead
 * of starting again and taking the leads captured in between for old ones.
 */
export interface StartRecord extends IDataObject {
	/** Unique per start, so a cursor takes one record over at most once. */
	id: string;
	/** Host time of the start. */
	at: number;
	chatbots: Record<string, ChatbotCursorState>;
}

function nodeKey(ctx: IPollFunctions): string {
	const node = ctx.getNode();
	return node.id || node.name;
}

export function readStartRecord(ctx: IPollFunctions): StartRecord | undefined {
	const records = ctx.getWorkflowStaticData('global')[RECORD_KEY] as IDataObject | undefined;
	const record = records?.[nodeKey(ctx)] as StartRecord | undefined;
	if (!record || typeof record.id !== 'string' || typeof record.chatbots !== 'object') return undefined;
	return record;
}

export function writeStartRecord(ctx: IPollFunctions, chatbots: Record<string, ChatbotCursorState>, hostNow: number): string {
	const id = `${hostNow.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
	const global = ctx.getWorkflowStaticData('global');
	const records = (global[RECORD_KEY] as IDataObject | undefined) ?? {};
	// Assigned whole: n8n saves static data only when a property is assigned.
	global[RECORD_KEY] = { ...records, [nodeKey(ctx)]: { id, at: hostNow, chatbots } satisfies StartRecord };
	return id;
}

/** The record ids a cursor has taken over, newest last, bounded. */
export function withAdopted(adopted: string[] | undefined, id: string): string[] {
	return [...(adopted ?? []).filter((known) => known !== id), id].slice(-ADOPTED_KEEP);
}
