import type { OAuthValidationService } from '@app/oauth-mail';
import type { Action, ActionRequest, ActionContext, RecordActionResponse } from 'adminjs';
import { Components } from '../component-loader.js';

/**
 * Validate and Copy URL. Both create a fresh authorization URL on POST (a GET
 * only shows the record), bound to the admin who asked for it.
 */
export function oauthClientActions(validation: OAuthValidationService): Record<string, Partial<Action<RecordActionResponse>>> {
  const handler = async (request: ActionRequest, _res: unknown, { record, currentAdmin }: ActionContext) => {
    const json = record!.toJSON(currentAdmin);
    if (request.method !== 'post') return { record: json };
    const started = await validation.start(String(record!.id()), (currentAdmin?.id as string | undefined) ?? null);
    return started.ok
      ? { record: json, authorizeUrl: started.authorizeUrl }
      : { record: json, notice: { message: started.message, type: 'error' as const } };
  };
  return {
    validate: { actionType: 'record', icon: 'CheckCircle', component: Components.ValidateAction, handler },
    copyUrl: { actionType: 'record', icon: 'Copy', component: Components.CopyUrlAction, handler },
  };
}
