import type { BaseIssue, PipeAction } from 'valibot';

type JsonSchemaFragment = Readonly<Record<string, unknown>>;

const fragments = new WeakMap<object, JsonSchemaFragment>();

/**
 * Marks a custom check with the JSON Schema keywords that describe it (a pattern, a format), so
 * the OpenAPI document says what the check enforces instead of leaving it out.
 */
export function documented<A extends PipeAction<any, any, BaseIssue<unknown>>>(action: A, fragment: JsonSchemaFragment): A {
  fragments.set(action, fragment);
  return action;
}

/** The keywords given to documented(), for the JSON Schema conversion. */
export function documentedFragment(action: object): JsonSchemaFragment | undefined {
  return fragments.get(action);
}
