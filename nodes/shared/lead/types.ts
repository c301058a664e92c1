import type { IDataObject } from 'n8n-workflow';

/** One lead in the shape every provider is normalized to. */
export interface NormalizedLead extends IDataObject {
	id: string;
	provider: string;
	chatbotId: string;
	/** The vendor's name for the chatbot, where a list of chatbots gave one (Chatbots: All). */
	chatbotName?: string;
	name: string | null;
	email: string | null;
	phone: string | null;
	createdAt: string | null;
	conversationId: string | null;
	fields: IDataObject;
	/** Only when createdAt is null: why the vendor's time could not be read. */
	createdAtError?: string;
}

/** What the user asked for, already validated. Dates are YYYY-MM-DD (whole days in `dateZone`, inclusive). */
export interface LeadQuery {
	chatbotId: string;
	startDate?: string;
	endDate?: string;
	/** IANA zone the Start and End dates are days in (the workflow's); undefined: UTC. */
	dateZone?: string;
	/** Values of the provider's own parameters (`LeadProvider.properties`, `filterProperties`), by name. */
	params: IDataObject;
	/** IANA zone for vendors whose timestamps carry none (Robofy). */
	timeZone: string;
	/**
	 * What every lead of this chatbot carries after `chatbotId` (its name, Robofy's project), when
	 * a run covers several chatbots. Undefined for one chatbot: its leads keep today's shape.
	 */
	leadContext?: IDataObject;
}

/** One chatbot a run covers, as the Chatbots parameter selects it (JSON: the trigger caches them). */
export interface ChatbotTarget extends IDataObject {
	chatbotId: string;
	/** The vendor's name for it, where a list gave one. */
	chatbotName?: string;
	/**
	 * The provider parameters that locate it (Robofy's projectId), by name. With the provider and
	 * the id, they identify the chatbot, so they hold nothing that could change (no names).
	 */
	params: IDataObject;
	/** What its leads carry besides chatbotId and chatbotName (Robofy: projectId, projectName). */
	leadContext?: IDataObject;
}
