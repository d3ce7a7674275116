/**
 * How a secret is shown anywhere outside the store: 8 bullets and its last 4 characters
 * (CONTRACT §3), or 8 bullets alone when it is too short to reveal any part of it.
 */
export const MASK_BULLETS = '\u2022'.repeat(8);

export function maskSecret(secret: string): string {
  return secret.length <= 8 ? MASK_BULLETS : MASK_BULLETS + secret.slice(-4);
}

/** Masks `secret` wherever it appears inside `text` (URLs, error messages from peers). */
export function maskIn(text: string, secret: string): string {
  if (secret === '') return text;
  return text.split(secret).join(maskSecret(secret));
}
