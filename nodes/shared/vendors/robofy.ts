import type { IDataObject } from 'n8n-workflow';

import type { ChatbotTarget } from '../lead/types';
import type { LeadProvider, ListReader, PagePosition, VendorList } from './types';
import { VendorResponseError } from './errors';
import { robofySessionChats } from './conversationShapes';
import { isObject } from '../lead/json';
import { givenName, listOrFail, messageOf, namedItems } from './common';

const NAME_FIELDS = ['name', 'full_name', 'fullname', 'your_name', 'first_name'];
const EMAIL_FIELDS = ['email', 'email_address', 'e-mail', 'mail'];
const PHONE_FIELDS = ['phone', 'phone_number', 'mobile', 'mobile_number', 'telephone', 'whatsapp'];

/** `lead_data` as { label: value }; labels are the customer's own form field names. */
function formAnswers(record: IDataObject): IDataObject {
	const answers: IDataObject = {};
	const leadData = Array.isArray(record.lead_data) ? (record.lead_data as unknown[]) : [];
	for (const entry of leadData) {
		if (isObject(entry) && typeof entry.field_name === 'string') {
			answers[entry.field_name] = entry.field_value ?? null;
		}
	}
	return answers;
}

function answerFor(answers: IDataObject, candidates: string[]): unknown {
	for (const [label, value] of Object.entries(answers)) {
		if (candidates.includes(label.trim().toLowerCase().replace(/\s+/g, '_'))) return value;
	}
	return undefined;
}

/** The docs show the token inside data.report in one example and beside it in data in the other. */
function nextPosition(data: IDataObject, report: IDataObject): PagePosition | null {
	const token = report.next_page_token ?? data.next_page_token;
	return typeof token === 'string' && token !== '' ? { token } : null;
}

const projectList: VendorList = {
	request: () => ({ path: '/projects', qs: {} }),
	parse: (body) => listOrFail(namedItems(isObject(body) ? body.data : undefined, ['id', 'projectId'], ['name']), body, 'data'),
};

const chatbotList: VendorList = {
	request: (params) => ({ path: `/ai-agent/chatbot/${encodeURIComponent(String(params.projectId ?? ''))}`, qs: {} }),
	parse: (body) =>
		listOrFail(namedItems(isObject(body) ? body.data : undefined, ['id', 'chatbotId', 'chatbot_id'], ['name', 'chatbotName']), body, 'data'),
};

/** Every agent of every project; each lead then also carries its project. */
async function allChatbots(read: ListReader): Promise<ChatbotTarget[]> {
	const projects = await read(projectList, {});
	const perProject = await Promise.all(
		projects.map(async (project) => {
			const agents = await read(chatbotList, { projectId: project.id });
			return agents.map((agent) => ({
				chatbotId: agent.id,
				chatbotName: givenName(agent),
				params: { projectId: project.id },
				leadContext: { projectId: project.id, projectName: givenName(project) ?? null },
			}));
		}),
	);
	return perProject.flat();
}

export const robofy: LeadProvider = {
	name: 'robofy',
	displayName: 'Robofy',
	credentialType: 'robofyApi',
	chatbotLabel: 'chatbot',
	paging: 'token',
	maxPageSize: null,
	dateFilter: false,
	zonelessTimestamps: true,
	successStatuses: [200],
	properties: [
		{
			displayName: 'Project',
			name: 'projectId',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The Robofy project the chatbot belongs to',
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a project...',
					typeOptions: { searchListMethod: 'searchProjects', searchable: true },
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. 101',
					validation: [
						{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'A Robofy project ID is a number' } },
					],
				},
			],
		},
	],
	filterProperties: [
		{
			displayName: 'Session ID',
			name: 'sessionId',
			type: 'string',
			default: '',
			description: 'Only leads captured in this chat session',
		},
	],
	buildRequest: (query, position) => {
		const qs: IDataObject = {};
		if ('token' in position) qs.nextPageToken = position.token;
		if (query.params.sessionId) qs.sessionId = query.params.sessionId;
		const project = encodeURIComponent(String(query.params.projectId ?? ''));
		const path = `/ai-agent/leads/${project}/${encodeURIComponent(query.chatbotId)}`;
		return { path, qs };
	},
	parsePage: (body) => {
		const data = isObject(body) ? body.data : undefined;
		const report = isObject(data) ? data.report : undefined;
		if (!isObject(data) || !isObject(report) || !Array.isArray(report.rows)) {
			throw new VendorResponseError('the response has no data.report.rows list', 'shape');
		}
		return { records: report.rows as IDataObject[], next: nextPosition(data, report) };
	},
	errorText: (body) => {
		const message = messageOf(body);
		const error = isObject(body) ? body.error : undefined;
		const detail = isObject(error) ? [error.code, error.detail ?? error.message].filter(Boolean).join(': ') : '';
		return [message, detail].filter(Boolean).join(' - ') || undefined;
	},
	projectList,
	chatbotList,
	allChatbots,
	mapLead: (record) => {
		const answers = formAnswers(record);
		return {
			id: record.id === undefined || record.id === null ? null : String(record.id),
			name: answerFor(answers, NAME_FIELDS),
			email: answerFor(answers, EMAIL_FIELDS),
			phone: answerFor(answers, PHONE_FIELDS),
			createdAt: record.created_at,
			conversationId: record.session_id,
			fields: answers,
		};
	},
	conversations: { byId: robofySessionChats },
};
