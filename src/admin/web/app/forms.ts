// Labelled form fields with a place for the server's message about each one: an ApiError whose
// `field` names a control is shown under that control (aria-invalid, aria-describedby) and focuses it.
import { ApiError } from './api.js';
import { h, uniqueId } from './dom.js';

export interface Field<E extends HTMLInputElement | HTMLSelectElement = HTMLInputElement | HTMLSelectElement> {
  /** The API field this control edits (`primaryUrl`, …). */
  readonly name: string;
  readonly label: string;
  readonly control: E;
  readonly error: HTMLParagraphElement;
  readonly element: HTMLDivElement;
}

interface FieldOptions {
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
}

function wrap<E extends HTMLInputElement | HTMLSelectElement>(options: FieldOptions, control: E): Field<E> {
  const id = uniqueId(`field-${options.name}`);
  control.id = id;
  control.name = options.name;
  const error = h('p', { class: 'field-error', id: `${id}-error` });
  const hint = options.hint === undefined ? null : h('p', { class: 'hint', id: `${id}-hint` }, options.hint);
  control.setAttribute('aria-describedby', [hint?.id, error.id].filter(Boolean).join(' '));
  const label = h('label', { for: id }, options.label);
  const element = h('div', { class: 'field' }, label, control, error, hint);
  return { name: options.name, label: options.label, control, error, element };
}

export interface TextFieldOptions extends FieldOptions {
  readonly value?: string;
  readonly placeholder?: string;
  readonly type?: 'text' | 'password' | 'datetime-local';
  readonly autocomplete?: string;
  readonly maxLength?: number;
  readonly monospace?: boolean;
}

export function textField(options: TextFieldOptions): Field<HTMLInputElement> {
  const input = h('input', {
    type: options.type ?? 'text',
    placeholder: options.placeholder,
    autocomplete: options.autocomplete ?? 'off',
    maxlength: options.maxLength,
    spellcheck: 'false',
    autocapitalize: 'off',
    class: options.monospace === true ? 'mono' : undefined,
  });
  input.value = options.value ?? '';
  return wrap(options, input);
}

export interface SelectFieldOptions extends FieldOptions {
  readonly options: ReadonlyArray<readonly [value: string, label: string]>;
  readonly value: string;
}

export function selectField(options: SelectFieldOptions): Field<HTMLSelectElement> {
  const select = h('select', {}, ...options.options.map(([value, label]) => h('option', { value }, label)));
  select.value = options.value;
  return wrap(options, select);
}

/** Shows API errors next to the field they name, or in the form's own error line. */
export class FieldErrors {
  constructor(
    private readonly formError: HTMLElement,
    private readonly fields: readonly Field[],
  ) {}

  clear(): void {
    this.formError.textContent = '';
    for (const field of this.fields) {
      field.error.textContent = '';
      field.control.removeAttribute('aria-invalid');
    }
  }

  /** Shows `error`; returns the field it was attached to, if any. */
  show(error: unknown): Field | null {
    this.clear();
    const message = error instanceof ApiError ? error.message : 'something went wrong; please try again';
    const field = error instanceof ApiError && error.field !== null ? this.fields.find((candidate) => candidate.name === error.field) : undefined;
    if (!field) {
      this.formError.textContent = this.readable(message);
      return null;
    }
    field.error.textContent = this.readable(message);
    field.control.setAttribute('aria-invalid', 'true');
    field.control.focus();
    return field;
  }

  /** The server names fields by their API names ("primaryUrl must …"); the page says their labels. */
  private readable(message: string): string {
    for (const field of this.fields) {
      if (message.startsWith(`${field.name} `)) return field.label + message.slice(field.name.length);
    }
    return message.charAt(0).toUpperCase() + message.slice(1);
  }
}
