/**
 * How a secret is shown anywhere outside the store: 8 bullets and its last 4 characters
 * (CONTRACT §3), or 8 bullets alone when it is too short to reveal any part of it.
 */
export const MASK_BULLETS = '\u2022'.repeat(8);

export function maskSecret(secret: string): string {
  // Code points, not UTF-16 units, so a key ending in an emoji never shows half a surrogate pair.
  const characters = Array.from(secret);
  return characters.length <= 8 ? MASK_BULLETS : MASK_BULLETS + characters.slice(-4).join('');
}

/** Masks `secret` wherever it appears inside `text` (URLs, error messages from peers). */
export function maskIn(text: string, secret: string): string {
  if (secret === '') return text;
  return text.split(secret).join(maskSecret(secret));
}
