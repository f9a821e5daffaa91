import { All, Controller, Get, Header, HttpCode, HttpStatus, Param, Query, Req, Res } from '@nestjs/common';
import { OAuthSignInService, OAuthValidationService } from '@app/oauth-mail';
import { SsoProvisioningService } from '../auth/sso-provisioning.service.js';
import { sessionBinding } from './sign-in.controller.js';
import type { Request, Response } from 'express';
import { ADMIN_ROOT } from '../admin/admin-root.js';
import type { CurrentAdmin } from '../auth/admin-user.service.js';
import { CALLBACK_ROUTE } from './oauth-routes.js';
import { validationResultPage } from './validation-result.page.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The Redirect URI of every client. In the admin's own browser it returns to
 * the client's page; in a private window (Copy URL) it answers with a small
 * result page. Either way the code leaves the address bar at once.
 */
@Controller(CALLBACK_ROUTE)
export class OAuthCallbackController {
  constructor(
    private readonly validation: OAuthValidationService,
    private readonly signIn: OAuthSignInService,
    private readonly provisioning: SsoProvisioningService,
  ) {}

  @Get(':clientId')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  async callback(@Param('clientId') clientId: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    if (UUID.test(clientId) && (await this.signIn.isSignInResponse(query))) return this.completeSignIn(clientId, query, req, res);
    const admin = (req.session as { adminUser?: CurrentAdmin } | undefined)?.adminUser ?? null;
    const outcome = UUID.test(clientId)
      ? await this.validation.complete(clientId, query, admin?.id ?? null)
      : { ok: false as const, clientId: null, code: 'INVALID_STATE' as const, message: 'This address does not belong to an OAuth client.', recorded: false };
    // Back to the client's page when it can show the outcome (stored on the record); otherwise a page of its own.
    if (admin && outcome.clientId && (outcome.ok || outcome.recorded)) {
      const result = outcome.ok ? 'ok' : outcome.code;
      return res.redirect(HttpStatus.SEE_OTHER, `${ADMIN_ROOT}/resources/OAuthClient/records/${outcome.clientId}/show?validation=${result}`);
    }
    const message = outcome.ok ? `Client validated${outcome.identity ? ` as ${outcome.identity}` : ''}.` : outcome.message;
    res.status(outcome.ok ? HttpStatus.OK : HttpStatus.BAD_REQUEST).type('html').send(validationResultPage(outcome.ok, message));
  }

  /** SSO: a fresh session id for the signed-in person, then the panel. */
  private async completeSignIn(clientId: string, query: Record<string, unknown>, req: Request, res: Response) {
    const refuse = (message: string): void => {
      res.status(HttpStatus.FORBIDDEN).type('html').send(validationResultPage(false, message, 'Sign-in failed'));
    };
    const outcome = await this.signIn.complete(clientId, query, req.session ? sessionBinding(req) : null);
    if (!outcome.ok) return refuse(outcome.message);
    const provisioned = await this.provisioning.signIn(outcome.client, outcome.identity);
    if (!provisioned.ok) return refuse(provisioned.message);
    await new Promise<void>((done, fail) => req.session.regenerate((e?: Error) => (e ? fail(e) : done())));
    (req.session as { adminUser?: CurrentAdmin }).adminUser = provisioned.admin;
    await new Promise<void>((done, fail) => req.session.save((e?: Error) => (e ? fail(e) : done())));
    res.redirect(HttpStatus.SEE_OTHER, ADMIN_ROOT);
  }

  /** The provider answers with a redirect (GET); anything else is refused. */
  @All(':clientId')
  @HttpCode(HttpStatus.METHOD_NOT_ALLOWED)
  @Header('Allow', 'GET')
  other() {
    return { message: 'The Redirect URI only accepts the provider\'s GET redirect.' };
  }
}
