/** Polling a trigger through n8n-core's PollContext: one poll, a session of polls, and n8n's durable scheduler. */

import { Container } from '@n8n/di';
import { PollContext, PollTriggerExecutor } from 'n8n-core';
import type { IDataObject, INodeExecutionData, IPollFunctions, WorkflowActivateMode } from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';

import { ErrorCapture } from './nodeTypes';
import { BuiltWorkflow, buildAdditionalData, buildWorkflow } from './workflow';
import { PollOptions, PollResult } from './types';

// ---------------------------------------------------------------------------------------------
// pollNode
// ---------------------------------------------------------------------------------------------
//
// How n8n 2.41 decides to save static data
// ----------------------------------------
// * `new Workflow({ staticData })` wraps the (JSON-parsed) static data with n8n-workflow's
//   ObservableObject.create(): a Proxy whose `set`/`deleteProperty` traps flip a non-enumerable
//   `__dataChanged` flag on the ROOT object. Nested objects that exist at load time are wrapped
//   too (with the root as parent), so `data.cursor.n = 2` on a loaded `cursor` DOES flag a change,
//   as do `push()` on a loaded array and `delete`. `getStaticData('node')` creating the empty
//   `node:<name>` bucket does not flag (option ignoreEmptyOnFirstChild).
//   NOT tracked: objects assigned during the lifetime of the Workflow object are stored as plain
//   objects, so mutating them in place later (e.g. in a later poll of the same, still-active
//   workflow, after the flag was reset by a save) is invisible. See createPollSession().
// * Persisting is done by the CLI, never by n8n-core: WorkflowStaticDataService.saveStaticData()
//   writes `workflow.staticData` to the DB iff `__dataChanged === true`, then resets the flag.
//   With the default config (N8N_POLLER_DURABLE_CURSORS_ENABLED=false) the CLI calls it from the
//   poll context's `__emit`, i.e. only when a poll returned items; a poll that returned null
//   leaves its change in the in-memory Workflow, saved by the next emitting poll (lost on restart).
//   After an emit, the started execution saves again via the workflowExecuteAfter hook if the
//   execution changed staticData - but never for mode 'manual' (hookFunctionsSave: !isManualMode).
// * pollNode() models "one poll, then n8n persists what it noticed": in 'trigger' mode it returns
//   the deep copy iff the flag is set (also when the poll returned null, see caveat above), in
//   'manual' mode it always returns the input (manual executions never save static data).
//   createPollSession() models the exact legacy timing across several polls without restarts.
// * Not modelled: the opt-in durable-cursor path (N8N_POLLER_DURABLE_CURSORS_ENABLED + scheduler),
//   where the CLI stages a copy of the node's static data per poll (resolveNodeStaticData) and
//   persists it by value comparison (__commitCursor / runPolledWorkflow), not via __dataChanged.

function snapshot(data: IDataObject): IDataObject {
	// What a JSON column stores: drops the non-enumerable __dataChanged, Dates become strings, etc.
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

function hasChangeFlag(workflow: Workflow): boolean {
	return (workflow.staticData as IDataObject).__dataChanged === true;
}

interface PollTick {
	items: INodeExecutionData[][] | null;
	/** What the node reported with `this.__emitError` during a poll that returned. */
	reportedErrors: Error[];
}

/**
 * A PollContext's `__emitError`: the node's own reports (made while its poll() runs: a partial
 * failure it reports and goes on) are collected; a call after poll() settled is n8n's executor
 * reporting the poll's failure, kept in `failure`.
 */
function errorSink(capture: ErrorCapture) {
	const sink = {
		reported: [] as Error[],
		failure: undefined as { error: unknown } | undefined,
		emitError: (error: Error) => {
			if (capture.running === true) sink.reported.push(error);
			else sink.failure = { error };
		},
	};
	return sink;
}

/**
 * One poll of `built.workflow`. 'trigger': a real PollContext run by n8n-core's PollTriggerExecutor
 * (scheduled tick: not the activation-time test poll). `onEmit` is the CLI's __emit.
 * 'manual': what WorkflowExecute.executePollNode does.
 */
async function runPoll(
	built: BuiltWorkflow,
	mode: 'trigger' | 'manual',
	activation: WorkflowActivateMode,
	onEmit: () => void,
	pollBudgetMs?: number,
): Promise<PollTick> {
	const { workflow, node, nodeType, credentialsHelper, capture } = built;
	if (typeof nodeType.poll !== 'function') {
		throw new UnexpectedError(`Node type "${node.type}" has no poll() method`);
	}
	// No executionId: a poll runs before (and independently of) any execution.
	const additionalData = buildAdditionalData(credentialsHelper);

	const sink = errorSink(capture);
	if (mode === 'manual') {
		const context = new PollContext(workflow, node, additionalData, 'manual', 'manual', undefined, sink.emitError);
		const items = await nodeType.poll.call(context);
		return { items, reportedErrors: sink.reported };
	}

	let emitted: INodeExecutionData[][] | null = null;
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		'trigger',
		activation,
		(data: INodeExecutionData[][]) => {
			emitted = data;
			onEmit();
		},
		sink.emitError,
		undefined,
		undefined,
		undefined,
		pollBudgetMs === undefined ? undefined : () => pollBudgetMs,
	);
	const executePollTrigger = Container.get(PollTriggerExecutor).create(
		workflow,
		node,
		context as IPollFunctions,
		() => true,
	);
	await executePollTrigger(false);
	if (sink.failure) throw capture.error ?? sink.failure.error;
	return { items: emitted, reportedErrors: sink.reported };
}

/**
 * Runs one poll of a polling trigger over a Workflow restored from `opts.staticData` (JSON round
 * trip, like n8n loading the workflow after a restart) and reports what n8n would persist.
 * Rejects with the node's error if the poll throws.
 */
export async function pollNode(opts: PollOptions): Promise<PollResult> {
	const mode = opts.mode ?? 'trigger';
	const input = opts.staticData ?? {};
	const built = buildWorkflow(opts, {
		withStartNode: false,
		staticData: input,
		active: mode === 'trigger',
	});
	const { items, reportedErrors } = await runPoll(built, mode, opts.activation ?? 'activate', () => {}, opts.pollBudgetMs);

	const staticDataChanged = hasChangeFlag(built.workflow);
	const persisted = staticDataChanged && mode === 'trigger';
	const inMemoryStaticData = snapshot(built.workflow.staticData);
	return {
		items,
		staticData: persisted ? inMemoryStaticData : input,
		staticDataChanged,
		persisted,
		inMemoryStaticData,
		reportedErrors,
	};
}

export interface PollSession {
	/** One scheduled poll on the same live Workflow object (no restart in between). */
	poll(): Promise<PollResult>;
	/** Simulates an n8n restart: reloads the Workflow from what was persisted so far. */
	restart(): void;
	/** What the DB holds now (WorkflowStaticDataService writes). */
	readonly persistedStaticData: IDataObject;
}

/**
 * Several polls of an ACTIVE workflow without restarts, with the CLI's exact legacy timing:
 * the Workflow object (and its ObservableObject static data) lives across polls; when a poll emits
 * items, the CLI's `__emit` runs `saveStaticData(workflow)`: write iff `__dataChanged`, then reset
 * the flag. A poll returning null writes nothing (its change stays in memory).
 * `PollResult.persisted` is true when this poll caused a write.
 */
export function createPollSession(opts: Omit<PollOptions, 'mode'>): PollSession {
	let persistedStaticData: IDataObject = snapshot(opts.staticData ?? {});
	const load = () =>
		buildWorkflow(opts, { withStartNode: false, staticData: persistedStaticData, active: true });
	let built = load();

	return {
		async poll() {
			let wrote = false;
			const saveStaticData = () => {
				const staticData = built.workflow.staticData as IDataObject;
				if (staticData.__dataChanged === true) {
					persistedStaticData = snapshot(staticData);
					staticData.__dataChanged = false;
					wrote = true;
				}
			};
			built.capture.error = undefined;
			const { items, reportedErrors } = await runPoll(built, 'trigger', opts.activation ?? 'activate', saveStaticData, opts.pollBudgetMs);
			return {
				items,
				staticData: persistedStaticData,
				staticDataChanged: hasChangeFlag(built.workflow) || wrote,
				persisted: wrote,
				inMemoryStaticData: snapshot(built.workflow.staticData),
				reportedErrors,
			};
		},
		restart() {
			built = load();
		},
		get persistedStaticData() {
			return persistedStaticData;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Durable scheduler with durable poll cursors (n8n 2.36+)
// ---------------------------------------------------------------------------------------------

export interface DurableTick {
	items: INodeExecutionData[][] | null;
	/** The cursor row n8n holds for the node after this tick (poller_state.cursor). */
	cursor: IDataObject | null;
	/** What the node reported with `this.__emitError` during a poll that returned. */
	reportedErrors: Error[];
}

export interface DurablePollSession {
	/** Activation: `executePollTrigger(true)` on a staged cursor, then the activator's saveStaticData. */
	activate(): Promise<DurableTick>;
	/** One scheduled tick (PollTriggerTaskHandler): fresh Workflow from the DB, staged cursor. */
	tick(): Promise<DurableTick>;
	/** What workflow_entity.staticData holds. */
	readonly workflowStaticData: IDataObject;
	readonly cursor: IDataObject | null;
}

/**
 * The path n8n 2.41.1 takes with N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED,
 * N8N_USE_WORKFLOW_PUBLICATION_SERVICE and N8N_POLLER_DURABLE_CURSORS_ENABLED, modelled on
 * packages/cli's TriggerExecutionContextFactory.getExecutePollFunctions, PollCursorService and
 * PollTriggerTaskHandler: the node's static data is a deep copy of the `poller_state` row (created
 * from the node's static data the first time), committed when it changed — with the execution when
 * the poll emits, alone when it does not — and never for the activation poll (a test poll). Global
 * static data is the live workflow's and is saved by the activation and when a poll emits.
 */
export function createDurablePollSession(opts: Omit<PollOptions, 'mode'> & { pollBudgetMs?: number }): DurablePollSession {
	let workflowStaticData: IDataObject = snapshot(opts.staticData ?? {});
	let cursor: IDataObject | null = null;

	async function run(testingTrigger: boolean, activation: WorkflowActivateMode): Promise<DurableTick> {
		const built = buildWorkflow(opts, { withStartNode: false, staticData: workflowStaticData, active: true });
		const { workflow, node, credentialsHelper, capture } = built;
		const saveStaticData = () => {
			const data = workflow.staticData as IDataObject;
			if (data.__dataChanged === true) {
				workflowStaticData = snapshot(data);
				data.__dataChanged = false;
			}
		};
		// __runPoll: getOrCreateCursor(seed = the node's static data), staged as a deep copy.
		if (cursor === null) cursor = snapshot(workflow.getStaticData('node', node));
		const staged = { snapshot: snapshot(cursor), seed: cursor };
		const takeStaged = () => {
			if (JSON.stringify(staged.snapshot) === JSON.stringify(staged.seed)) return null;
			staged.seed = snapshot(staged.snapshot);
			return staged.seed;
		};
		let emitted: INodeExecutionData[][] | null = null;
		const sink = errorSink(capture);
		const context = new PollContext(
			workflow,
			node,
			buildAdditionalData(credentialsHelper),
			'trigger',
			activation,
			(data: INodeExecutionData[][]) => {
				emitted = data;
				const advanced = takeStaged();
				saveStaticData();
				if (advanced) cursor = advanced; // committed in one transaction with the execution
			},
			sink.emitError,
			async () => {
				const advanced = takeStaged();
				if (advanced) cursor = advanced;
			},
			async (poll) => await poll(),
			() => staged.snapshot,
			// 45 s scheduler timeout minus n8n's margin; the activation poll gets PollContext's default.
			testingTrigger ? undefined : () => opts.pollBudgetMs ?? 36_000,
		);
		capture.error = undefined;
		try {
			await Container.get(PollTriggerExecutor).create(workflow, node, context as IPollFunctions, () => true)(testingTrigger);
		} catch (error) {
			throw capture.error ?? error;
		}
		if (sink.failure) throw capture.error ?? sink.failure.error;
		if (testingTrigger) saveStaticData();
		return { items: emitted, cursor, reportedErrors: sink.reported };
	}

	return {
		activate: async () => await run(true, opts.activation ?? 'activate'),
		tick: async () => await run(false, 'update'),
		get workflowStaticData() {
			return workflowStaticData;
		},
		get cursor() {
			return cursor;
		},
	};
}
