// Sign in with the admin token. The token is checked against the API before it is kept.
import { Api, ApiError } from './api.js';
import { h } from './dom.js';
import { textField } from './forms.js';
import type { View } from './view.js';

export function signInView(container: HTMLElement, notice: string | null, onSignedIn: (token: string) => void): View {
  const token = textField({
    name: 'token',
    label: 'Admin token',
    type: 'password',
    autocomplete: 'current-password',
    hint: 'Printed once at the relay’s first start; also in DATA_DIR/admin-token, or set with --admin-token.',
    monospace: true,
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in');
  const noticeLine = h('p', { class: 'banner', role: 'status' }, notice ?? '');
  // A hidden user name lets password managers file the token (and keeps Chrome from asking for one).
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: 'rtmp-relay admin', hidden: true, tabindex: -1 });
  const form = h('form', { novalidate: true, 'aria-labelledby': 'signin-title' }, user, token.element, submit);
  let destroyed = false;

  const showError = (message: string): void => {
    token.error.textContent = message;
    token.control.setAttribute('aria-invalid', 'true');
    token.control.focus();
    token.control.select();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = token.control.value.trim();
    token.error.textContent = '';
    token.control.removeAttribute('aria-invalid');
    if (value === '') {
      showError('Enter the admin token.');
      return;
    }
    submit.disabled = true;
    new Api(value)
      .listEvents()
      .then(() => {
        if (!destroyed) onSignedIn(value);
      })
      .catch((error: unknown) => {
        if (destroyed) return;
        if (error instanceof ApiError && error.status === 401) showError('Wrong admin token: the relay did not accept it.');
        else showError(`Could not sign in: ${error instanceof ApiError ? error.message : 'unexpected error'}.`);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  container.replaceChildren(
    h(
      'section',
      { class: 'panel signin' },
      h('h1', { id: 'signin-title' }, 'Sign in'),
      h('p', { class: 'muted' }, 'Manage events and their restream destinations. The token is kept in this browser tab only.'),
      noticeLine,
      form,
    ),
  );
  token.control.focus();
  return {
    destroy: () => {
      destroyed = true;
    },
  };
}
