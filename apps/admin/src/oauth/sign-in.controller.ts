import { createHash } from 'node:crypto';
import { Controller, Get, Header, HttpStatus, Param, Req, Res } from '@nestjs/common';
import { OAuthSignInService } from '@app/oauth-mail';
import type { Request, Response } from 'express';
import { SIGN_IN_ROUTE } from './oauth-routes.js';
import { validationResultPage } from './validation-result.page.js';

/** A browser session, as the sign-in transaction remembers it (never the session id itself). */
export const sessionBinding = (req: Request) => createHash('sha256').update(`sso:${req.sessionID}`).digest('hex');

/** SSO through User-type clients: the login page's buttons and where they lead. */
@Controller(SIGN_IN_ROUTE)
export class SignInController {
  constructor(private readonly signIn: OAuthSignInService) {}

  /** The buttons of the login page (public: captions and icons only). */
  @Get()
  buttons() {
    return this.signIn.buttons();
  }

  @Get(':clientId')
  @Header('Cache-Control', 'no-store')
  async start(@Param('clientId') clientId: string, @Req() req: Request, @Res() res: Response) {
    // Marks the session so that it is stored and its cookie sent: the callback must come back in it.
    (req.session as { signInStartedAt?: number }).signInStartedAt = Date.now();
    const started = /^[0-9a-f-]{36}$/.test(clientId) ? await this.signIn.start(clientId, sessionBinding(req)) : null;
    if (!started?.ok) {
      const unavailable = !started || started.code === 'CLIENT_DISABLED';
      res
        .status(unavailable ? HttpStatus.NOT_FOUND : started.code === 'CONFIGURATION_INVALID' ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY)
        .type('html')
        .send(validationResultPage(false, unavailable ? 'This sign-in option is not available.' : started.message, 'Sign-in failed'));
      return;
    }
    res.redirect(HttpStatus.SEE_OTHER, started.authorizeUrl);
  }
}
