/** The vendor answered, but with an error or a shape we cannot read. */
export class VendorResponseError extends Error {
	constructor(
		message: string,
		readonly kind: 'vendorError' | 'shape',
		readonly vendorCode?: string,
	) {
		super(message);
	}
}
