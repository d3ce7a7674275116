// Checks an admin API response against the relay's own OpenAPI document: the route and method are
// documented, the status is one the operation lists, the media type is the documented one, and a
// JSON body validates against the documented schema (ajv, JSON Schema 2020-12). The named
// component schemas are checked closed (no field the document does not name), so a response that
// grows an undocumented field fails here even though clients are told to ignore unknown fields.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export: the function sits on `.default` under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Json = Record<string, unknown>;

export interface ObservedResponse {
  readonly method: string;
  /** The request target as sent (a query string is ignored). */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

interface Operation {
  readonly template: string;
  readonly pattern: RegExp;
  readonly responses: Json;
}

const DOCUMENT_ID = 'urn:rtmp-relay:openapi';

/** Every object schema under `node` with named properties and no rule for others becomes closed; allOf parts are left open. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(closeObjects);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema['properties'] !== undefined && schema['additionalProperties'] === undefined) schema['additionalProperties'] = false;
  for (const [key, value] of Object.entries(schema)) if (key !== 'allOf') closeObjects(value);
}

function pointer(...parts: string[]): string {
  return parts.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

export class OpenApiConformance {
  private readonly ajv: Ajv2020;
  private readonly operations = new Map<string, Operation[]>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly errorValidator: ValidateFunction;

  constructor(document: Json) {
    const copy = structuredClone(document);
    closeObjects((copy['components'] as Json | undefined)?.['schemas']);
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...copy, $id: DOCUMENT_ID });
    for (const [template, item] of Object.entries(copy['paths'] as Record<string, Json>)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries(item)) {
        const list = this.operations.get(method.toUpperCase()) ?? [];
        list.push({ template, pattern, responses: (operation as Json)['responses'] as Json });
        this.operations.set(method.toUpperCase(), list);
      }
    }
    this.errorValidator = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/components/schemas/Error` });
  }

  /** Fetches `/api/openapi.json` from a running relay (a public route). */
  static async load(baseUrl: string): Promise<OpenApiConformance> {
    const response = await fetch(`${baseUrl}/api/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /api/openapi.json: ${response.status}`);
    return new OpenApiConformance((await response.json()) as Json);
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }

  /** What is wrong with the response by the document, or null when it conforms. */
  violation(response: ObservedResponse): string | null {
    const path = response.path.split(/[?#]/)[0]!;
    const label = `${response.method} ${path} → ${response.status}`;
    const method = response.method === 'HEAD' ? 'GET' : response.method;
    const operation = (this.operations.get(method) ?? []).find((candidate) => candidate.pattern.test(path));
    if (operation === undefined) {
      // No route: only the error object, with a code the pipeline gives a request no route takes.
      const routeless = ['not_found', 'unauthorized', 'bad_request', 'unsupported_media_type', 'payload_too_large', 'unavailable'];
      if (response.method === 'HEAD') return null;
      const body = parseJson(response.text);
      if (!this.errorValidator(body)) return `${label}: not the error object: ${this.ajv.errorsText(this.errorValidator.errors)}`;
      const code = (body as { error: { code: string } }).error.code;
      return routeless.includes(code) ? null : `${label}: ${code} from a path with no route`;
    }
    const documented = operation.responses[String(response.status)] as Json | undefined;
    if (documented === undefined) return `${label}: status not documented for ${method} ${operation.template} (documented: ${Object.keys(operation.responses).join(', ')})`;
    const content = documented['content'] as Record<string, unknown> | undefined;
    if (content === undefined) return response.text === '' ? null : `${label}: documented without a body, got one`;
    const mediaType = (response.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const match = Object.keys(content).find((type) => type.split(';')[0]!.trim().toLowerCase() === mediaType);
    if (match === undefined) return `${label}: content type ${response.contentType ?? 'none'} not documented (documented: ${Object.keys(content).join(', ')})`;
    if (response.method === 'HEAD' || mediaType !== 'application/json') return null;
    const ref = `${DOCUMENT_ID}#/${pointer('paths', operation.template, method.toLowerCase(), 'responses', String(response.status), 'content', match, 'schema')}`;
    const validate = this.validator(ref);
    const body = parseJson(response.text);
    return validate(body) ? null : `${label}: ${this.ajv.errorsText(validate.errors)} in ${response.text.slice(0, 300)}`;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Symbol('not JSON');
  }
}

const loaded = new Map<string, Promise<OpenApiConformance>>();

/** The conformance checker of the relay at `baseUrl`, loaded once per relay. */
export function conformanceOf(baseUrl: string): Promise<OpenApiConformance> {
  let conformance = loaded.get(baseUrl);
  if (conformance === undefined) {
    conformance = OpenApiConformance.load(baseUrl);
    loaded.set(baseUrl, conformance);
    conformance.catch(() => loaded.delete(baseUrl));
  }
  return conformance;
}
