/** One-line remedies for Entra ID (AADSTS) errors seen in practice. */
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

export function azureHint(_error: string | null, description: string | null): string | null {
  const code = /AADSTS(\d+)/.exec(description ?? '')?.[1];
  return code && AADSTS_HINTS[code] ? `AADSTS${code}: ${AADSTS_HINTS[code]}` : null;
}
