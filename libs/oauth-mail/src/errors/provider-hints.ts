/**
 * One-line remedies for provider error codes seen in practice, so an admin
 * reads what to do instead of a raw error body.
 */
const AADSTS_HINTS: Record<string, string> = {
  '7000215': "The Client Secret is wrong. Paste the secret's Value (shown once at creation), not its Secret ID.",
  '7000222': 'The Client Secret has expired. Create a new secret in Certificates & secrets and paste its Value here.',
  '50011': 'The Redirect URI does not match the app registration. Copy the Redirect Uri shown on this client into the Web platform of the Azure app.',
  '65001': 'Consent is missing. Grant admin consent for the API permissions in the Azure app, then Validate again.',
  '90094': 'An administrator must consent. Use "Grant admin consent" in the Azure app API permissions, then Validate again.',
  '700016': 'The Client ID is unknown in this tenant. Check the Application (client) ID and the Tenant ID.',
  '90002': 'The tenant was not found. Check the Directory (tenant) ID.',
  '700082': 'The refresh token expired after a long time unused. Validate the client again.',
  '70008': 'The refresh token expired or was revoked. Validate the client again.',
  '50173': 'The user changed their password, which revoked the grant. Validate the client again.',
  '9002325': 'The Azure app is set up as a single-page application. Register the Redirect Uri under the Web platform instead.',
  '50076': 'The user must complete multi-factor authentication. Validate again and complete the prompt.',
};

const GOOGLE_HINTS: [RegExp, string][] = [
  [/Token has been expired or revoked/i, 'Google revoked the token (password change, revocation, or a Testing app\'s 7-day limit). Validate the client again; publish the Google app to avoid the 7-day limit.'],
  [/redirect_uri_mismatch/i, 'The Redirect URI is not registered in the Google Cloud OAuth client. Add the Redirect Uri shown on this client.'],
];

/** A remedy for a provider error, or null when none is known. */
export function providerHint(error: string | null, description: string | null): string | null {
  const aadsts = /AADSTS(\d+)/.exec(description ?? '')?.[1];
  if (aadsts && AADSTS_HINTS[aadsts]) return `AADSTS${aadsts}: ${AADSTS_HINTS[aadsts]}`;
  for (const [pattern, hint] of GOOGLE_HINTS) if (pattern.test(`${error ?? ''} ${description ?? ''}`)) return hint;
  return null;
}

/** Provider text made safe to store and show: one line, no markup, bounded. */
export function cleanProviderText(text: unknown, max = 300): string {
  if (typeof text !== 'string') return '';
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
