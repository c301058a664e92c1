/** Refusals logged per trigger and minute; beyond that they are counted, then summed up once. */
export const REFUSALS_LOGGED_PER_MINUTE = 5;
const WINDOW_MS = 60_000;

interface RefusalWindow {
	startMs: number;
	logged: number;
	suppressed: number;
}

const windows = new Map<string, RefusalWindow>();

export interface RefusalDecision {
	/** Whether to write this refusal to the log. */
	log: boolean;
	/** Refusals of the previous minute that were not logged, to report once with this one. */
	suppressedBefore: number;
	/** The last one logged this minute: the line says the next ones are only counted. */
	lastThisMinute: boolean;
}

/**
 * Whether a refused webhook request of `trigger` may write a log line: the first few per minute
 * do, the rest are counted and reported with the first line of a later minute. Anyone who knows a
 * webhook URL can send requests, so the log must not grow with them.
 */
export function noteRefusal(trigger: string, nowMs: number): RefusalDecision {
	const current = windows.get(trigger);
	if (!current || nowMs - current.startMs >= WINDOW_MS) {
		windows.set(trigger, { startMs: nowMs, logged: 1, suppressed: 0 });
		return { log: true, suppressedBefore: current?.suppressed ?? 0, lastThisMinute: false };
	}
	if (current.logged < REFUSALS_LOGGED_PER_MINUTE) {
		current.logged += 1;
		return { log: true, suppressedBefore: 0, lastThisMinute: current.logged === REFUSALS_LOGGED_PER_MINUTE };
	}
	current.suppressed += 1;
	return { log: false, suppressedBefore: 0, lastThisMinute: false };
}
