/**
 * Watches the order leads arrive in. No vendor promises one, so "the rest is older" (or newer)
 * is only concluded while every lead so far has kept to that order.
 */
export class ArrivalOrder {
	private first = NaN;
	private last = NaN;
	private descending = true;
	private ascending = true;

	/** A lead whose time could not be read says nothing about the order: it is left out. */
	see(createdAtMs: number): void {
		if (Number.isNaN(createdAtMs)) return;
		if (!Number.isNaN(this.last)) {
			if (createdAtMs > this.last) this.descending = false;
			if (createdAtMs < this.last) this.ascending = false;
		}
		if (Number.isNaN(this.first)) this.first = createdAtMs;
		this.last = createdAtMs;
	}

	/** True once newest-first order has held and the leads have gone below `ms`. */
	provablyOlderThan(ms: number): boolean {
		return this.descending && !Number.isNaN(this.last) && this.last < ms;
	}

	/** Oldest-first held for every lead seen, and the leads were not all at one instant. */
	isAscending(): boolean {
		return this.ascending && this.last > this.first;
	}
}
