// Modal dialogs on the native <dialog> (showModal makes the rest of the page inert; Escape closes),
// with Tab kept inside the dialog and focus returned to what opened it.
import { h, uniqueId, type Child } from './dom.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function trapTab(dialog: HTMLDialogElement, event: KeyboardEvent): void {
  if (event.key !== 'Tab') return;
  const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.getClientRects().length > 0);
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !dialog.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

export interface ModalOptions {
  readonly title: string;
  /** Called once when the dialog closes, however it closes (button, Escape). */
  readonly onClose?: () => void;
}

/**
 * A dialog with a heading, a form body and an action row. Content goes into `body` and `actions`;
 * `form`'s submit event is the dialog's main action (Enter in a field submits).
 */
export class Modal {
  readonly dialog: HTMLDialogElement;
  readonly form: HTMLFormElement;
  readonly body: HTMLDivElement;
  readonly actions: HTMLDivElement;
  /** The error that names no field (or a field the form does not have). */
  readonly formError: HTMLParagraphElement;
  private opener: Element | null = null;
  private closed = false;

  constructor(private readonly options: ModalOptions) {
    const titleId = uniqueId('dialog-title');
    this.formError = h('p', { class: 'form-error', role: 'alert' });
    this.body = h('div', { class: 'dialog-body' }, this.formError);
    this.actions = h('div', { class: 'dialog-actions' });
    this.form = h('form', { novalidate: true }, this.body, this.actions);
    const closeButton = h('button', { type: 'button', class: 'btn btn-icon', 'aria-label': 'Close', onClick: () => this.close() }, '×');
    this.dialog = h(
      'dialog',
      { 'aria-labelledby': titleId },
      h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, options.title), closeButton),
      this.form,
    );
    this.dialog.addEventListener('keydown', (event) => trapTab(this.dialog, event));
    this.dialog.addEventListener('close', () => this.finish());
  }

  /** Shows the dialog and focuses `initialFocus` (else the first field or button). */
  open(initialFocus?: HTMLElement): void {
    this.opener = document.activeElement;
    document.body.appendChild(this.dialog);
    this.dialog.showModal();
    const target = initialFocus ?? this.body.querySelector<HTMLElement>(FOCUSABLE) ?? this.actions.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
    else this.finish();
  }

  /** Makes every control of the dialog (un)usable while a request is in flight. */
  setBusy(busy: boolean): void {
    for (const control of this.dialog.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select')) {
      control.disabled = busy;
    }
    this.dialog.setAttribute('aria-busy', String(busy));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.dialog.remove();
    if (this.opener instanceof HTMLElement && this.opener.isConnected) this.opener.focus();
    this.options.onClose?.();
  }
}

export interface ConfirmOptions {
  readonly title: string;
  readonly message: Child | readonly Child[];
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

/** Asks a yes/no question; resolves true only when the confirm button was pressed. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false;
    const modal = new Modal({ title: options.title, onClose: () => resolve(confirmed) });
    const message = Array.isArray(options.message) ? options.message : [options.message as Child];
    modal.body.append(h('div', {}, ...message));
    const cancel = h('button', { type: 'button', class: 'btn', onClick: () => modal.close() }, 'Cancel');
    const confirm = h('button', { type: 'submit', class: options.danger === true ? 'btn btn-danger solid' : 'btn btn-primary' }, options.confirmLabel);
    modal.actions.append(cancel, confirm);
    modal.form.addEventListener('submit', (event) => {
      event.preventDefault();
      confirmed = true;
      modal.close();
    });
    // The safe choice has the focus: Enter right away does not delete anything.
    modal.open(cancel);
  });
}
