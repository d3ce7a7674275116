// Copy to the clipboard: the async Clipboard API where the page is a secure context (https, localhost),
// else the selection of a (read-only) field and execCommand('copy'), which plain-http admin pages need.
export async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or the document lost focus: try the selection below.
    }
  }
  if (!field) return false;
  const type = field.type;
  try {
    if (type === 'password') field.type = 'text';
    field.focus();
    field.select();
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    field.type = type;
    field.setSelectionRange(0, 0);
  }
}
