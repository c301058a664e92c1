import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { compactCursor, readLeadCursor, type ChatbotCursorState, type CursorWindows, type LeadCursorState, type UnlistedChatbot } from './cursorState';

/** Key in the workflow's global static data: one backup per trigger node, by node id. */
const BACKUP_KEY = 'chatbotLeadsTriggerPositions';
/** Where a 0.2.0 development build kept whole start cursors; removed on the next save. */
const LEGACY_KEY = 'chatbotLeadsTriggerStarts';

/**
 * A small copy of the trigger's position in the workflow's *global* static data, by node id.
 * n8n keys a node's own static data by node name, so a renamed trigger finds none; and under the
 * durable scheduler with durable cursors the activation poll's node data is a staged copy n8n
 * drops, while global static data is saved. Either way the trigger goes on from this copy
 * instead of starting again. It moves with every save, so it never hands back leads already
 * emitted; once the node's own state exists, it holds only the ids of each chatbot's look-back window.
 */
function nodeKey(ctx: IPollFunctions): string {
	const node = ctx.getNode();
	return node.id || node.name;
}

export function readPositionBackup(ctx: IPollFunctions, workflowId: string | undefined, lookBackMs: number): LeadCursorState | undefined {
	const backups = ctx.getWorkflowStaticData('global')[BACKUP_KEY] as IDataObject | undefined;
	const state = readLeadCursor(backups?.[nodeKey(ctx)], lookBackMs);
	if (!state || (state.workflowId !== undefined && workflowId !== undefined && state.workflowId !== workflowId)) return undefined;
	return state;
}

function compactAll<T>(entries: Record<string, T>, compact: (value: T) => T): Record<string, T> {
	const out: Record<string, T> = {};
	for (const [key, value] of Object.entries(entries)) out[key] = compact(value);
	return out;
}

/**
 * Writes the backup: whole while the node's own state has not been saved yet (the first poll, or
 * the first after a rename), so the poll after an activation under durable cursors loses nothing;
 * compact once the node's own state exists.
 */
export function writePositionBackup(ctx: IPollFunctions, state: LeadCursorState, windows: CursorWindows, whole: boolean): void {
	const compact = (cursor: ChatbotCursorState) => (whole ? cursor : compactCursor(cursor, windows));
	const backup: LeadCursorState = { version: 2, chatbots: compactAll(state.chatbots, compact) };
	if (state.workflowId !== undefined) backup.workflowId = state.workflowId;
	if (state.generation !== undefined) backup.generation = state.generation;
	if (state.startMarkMs !== undefined) backup.startMarkMs = state.startMarkMs;
	if (state.failing) backup.failing = state.failing;
	if (state.unlisted) backup.unlisted = compactAll(state.unlisted, (entry: UnlistedChatbot) => ({ ...entry, state: compact(entry.state) }));
	const global = ctx.getWorkflowStaticData('global');
	const backups = { ...((global[BACKUP_KEY] as IDataObject | undefined) ?? {}), [nodeKey(ctx)]: backup };
	// Assigned whole: n8n saves static data only when a property is assigned.
	global[BACKUP_KEY] = backups;
	if (LEGACY_KEY in global) delete global[LEGACY_KEY];
}
