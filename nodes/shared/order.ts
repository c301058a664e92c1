/**
 * Watches the order leads arrive in. No vendor promises one, so "the rest is older" is only
 * concluded while every lead so far was no newer than the one before it.
 */
export class ArrivalOrder {
	private last = Infinity;
	private descending = true;

	see(createdAtMs: number): void {
		if (Number.isNaN(createdAtMs) || createdAtMs > this.last) this.descending = false;
		else this.last = createdAtMs;
	}

	/** True once newest-first order has held and the leads have gone below `ms`. */
	provablyOlderThan(ms: number): boolean {
		return this.descending && this.last < ms;
	}
}
