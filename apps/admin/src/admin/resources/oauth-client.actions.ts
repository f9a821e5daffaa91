import { OAuthClient, usernameClaim, type OAuthProviderRegistry, type OAuthValidationService } from '@app/oauth-mail';
import type { Action, ActionRequest, ActionContext, RecordActionResponse } from 'adminjs';
import type { DataSource } from 'typeorm';
import { decideFirstSignIn } from '../../auth/sso-provisioning.service.js';
import { Components } from '../component-loader.js';

const MAX_SAMPLE = 65_536;

/**
 * Validate and Copy URL (both create a fresh authorization URL on POST, bound
 * to the admin who asked for it), and Test sign-in rules for User-type clients.
 */
export function oauthClientActions(validation: OAuthValidationService, providers: OAuthProviderRegistry, dataSource: DataSource): Record<string, Partial<Action<RecordActionResponse>>> {
  const handler = async (request: ActionRequest, _res: unknown, { record, currentAdmin }: ActionContext) => {
    const json = record!.toJSON(currentAdmin);
    if (request.method !== 'post') return { record: json };
    const started = await validation.start(String(record!.id()), (currentAdmin?.id) ?? null);
    return started.ok
      ? { record: json, authorizeUrl: started.authorizeUrl }
      : { record: json, notice: { message: started.message, type: 'error' as const } };
  };
  return {
    validate: { actionType: 'record', icon: 'CheckCircle', component: Components.ValidateAction, handler },
    copyUrl: { actionType: 'record', icon: 'Copy', component: Components.CopyUrlAction, handler },
    testRules: {
      actionType: 'record',
      icon: 'PlayCircle',
      component: Components.TestRulesAction,
      isVisible: ({ record }) => record?.param('type') === 'user',
      handler: async (request: ActionRequest, _res: unknown, { record, currentAdmin }: ActionContext) => {
        const json = record!.toJSON(currentAdmin);
        if (request.method !== 'post') return { record: json };
        const client = await dataSource.getRepository(OAuthClient).findOneBy({ id: String(record!.id()) });
        const refuse = (message: string) => ({ record: json, rules: { ok: false, message } });
        if (!client || client.type !== 'user') return refuse('Only OAuth clients of type User have sign-in rules.');
        const { claims: rawClaims, directory: rawDirectory, expression } = request.payload ?? {};
        const claims = parseObject(rawClaims);
        if (!claims) return refuse('Sample claims must be a JSON object (at most 64 KB), such as {"email": "ann@example.com"}.');
        const directory = rawDirectory ? parseObject(rawDirectory) : {};
        const text = (v: unknown) => typeof v === 'string';
        if (!directory || !Object.values(directory).every((v) => text(v) || (Array.isArray(v) && v.every(text)))) {
          return refuse('The directory entry must be a JSON object of texts or lists of texts, such as {"role": "admin", "groups": ["staff"]}.');
        }
        const rules = { userFields: client.userFields, userCreateExpression: typeof expression === 'string' ? expression.trim() || null : client.userCreateExpression };
        const username = usernameClaim(claims, providers.usernameAttribute(client));
        return { record: json, rules: await decideFirstSignIn(rules, claims, username, directory as Record<string, string | string[]>) };
      },
    },
  };
}

function parseObject(raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'string' || raw.length > MAX_SAMPLE) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
