/** One-line remedies for Google's OAuth error texts. */
const GOOGLE_HINTS: [RegExp, string][] = [
  [/Token has been expired or revoked/i, 'Google revoked the token (password change, revocation, or a Testing app\'s 7-day limit). Validate the client again; publish the Google app to avoid the 7-day limit.'],
  [/redirect_uri_mismatch/i, 'The Redirect URI is not registered in the Google Cloud OAuth client. Add the Redirect Uri shown on this client.'],
];

export function googleHint(error: string | null, description: string | null): string | null {
  const text = `${error ?? ''} ${description ?? ''}`;
  return GOOGLE_HINTS.find(([pattern]) => pattern.test(text))?.[1] ?? null;
}
