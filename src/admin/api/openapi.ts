import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { PROBLEM_STATUS, type ProblemCode } from '../../domain/errors.js';
import type { ResponseDoc, RouteInfo } from '../http/app.js';
import { documentedFragment } from './documented.js';
import { NAMED_SCHEMAS } from './schemas.js';

const COMPONENTS = '#/components/schemas/';

const CONVERSION: ConversionConfig = {
  target: 'draft-2020-12',
  // Request bodies are described as clients send them (before trimming and defaults).
  typeMode: 'input',
  definitions: NAMED_SCHEMAS,
  overrideRef: ({ referenceId }) => `${COMPONENTS}${referenceId}`,
  overrideAction: ({ valibotAction, jsonSchema }) => {
    const fragment = documentedFragment(valibotAction);
    if (fragment !== undefined) return { ...jsonSchema, ...fragment } as JsonSchema;
    // Names are trimmed before their length is checked; the schema's description says so.
    if (valibotAction.type === 'trim') return jsonSchema;
    // JSON Schema counts string lengths in code points, as these checks do.
    if (valibotAction.type === 'max_code_points') return { ...jsonSchema, maxLength: (valibotAction as unknown as { requirement: number }).requirement };
    return null;
  },
};

/** The errors every route of a kind may answer, with when. */
function commonErrors(route: RouteInfo): Partial<Record<ProblemCode, string>> {
  const errors: Partial<Record<ProblemCode, string>> = {};
  if (route.options.public !== true) errors.unauthorized = 'no valid admin token (Authorization: Bearer <token>)';
  if (route.pattern.includes('/:')) errors.not_found = 'nothing has the id in the path';
  if (route.options.body !== undefined) {
    errors.validation_failed = 'the body does not match its schema or breaks a rule; the message and `field` name the field';
    errors.bad_request = 'the body is not valid JSON';
    errors.payload_too_large = 'the body is over 64 KiB';
    errors.unsupported_media_type = 'the body is not sent as application/json';
  }
  errors.internal_error = 'a failure of the relay (the log has the details)';
  errors.unavailable = 'the relay is stopping';
  return errors;
}

function errorResponses(route: RouteInfo): Record<string, unknown> {
  const byStatus = new Map<number, Array<[ProblemCode, string]>>();
  const errors = { ...commonErrors(route), ...route.options.doc.errors };
  for (const [code, when] of Object.entries(errors) as Array<[ProblemCode, string]>) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), [code, when]]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = entries.map(([code]) => code);
    responses[String(status)] = {
      description: entries.map(([code, when]) => `${code}: ${when}`).join('; '),
      content: {
        'application/json': {
          schema: { allOf: [{ $ref: `${COMPONENTS}Error` }, { properties: { error: { properties: { code: { enum: codes } } } } }] },
        },
      },
    };
  }
  return responses;
}

function schemaRef(schema: GenericSchema): JsonSchema {
  const name = Object.entries(NAMED_SCHEMAS).find(([, named]) => named === schema)?.[0];
  return name === undefined ? toJsonSchema(schema, CONVERSION) : { $ref: `${COMPONENTS}${name}` };
}

function successResponse(doc: ResponseDoc): Record<string, unknown> {
  if (doc.schema !== undefined) return { description: doc.description, content: { 'application/json': { schema: schemaRef(doc.schema) } } };
  if (doc.contentTypes !== undefined) {
    const schemaOf = (type: string): JsonSchema => (type.startsWith('application/json') ? { type: 'object' } : { type: 'string' });
    return { description: doc.description, content: Object.fromEntries(doc.contentTypes.map((type) => [type, { schema: schemaOf(type) }])) };
  }
  return { description: doc.description };
}

function operation(route: RouteInfo): Record<string, unknown> {
  const { doc, body } = route.options;
  const parameters = [...route.pattern.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(doc.responses)) responses[status] = successResponse(response);
  return {
    operationId: doc.operationId,
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    ...(route.options.public === true ? { security: [] } : {}),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined
      ? {}
      : { requestBody: { required: !body.optional, content: { 'application/json': { schema: schemaRef(body.schema) } } } }),
    responses: { ...responses, ...errorResponses(route) },
  };
}

/**
 * The OpenAPI 3.1 description of `routes`, from the same schemas that check their bodies. Every
 * route but the public ones needs the bearer token.
 */
export function openApiDocument(routes: readonly RouteInfo[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.pattern.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'rtmp-relay admin API',
      version,
      description:
        'Events, their restream destinations and their live status. JSON in and out; request bodies up to 64 KiB. ' +
        'Every route needs `Authorization: Bearer <token>` except those marked public. A GET route answers HEAD too.',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'the admin token' } },
      schemas: toJsonSchemaDefs(NAMED_SCHEMAS, CONVERSION),
    },
  };
}
