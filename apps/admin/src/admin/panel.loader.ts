import { Inject, Injectable } from '@nestjs/common';
import { ExpressLoader } from '@adminjs/nestjs';
import AdminJSExpress from '@adminjs/express';
import type AdminJS from 'adminjs';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { Application, NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app.config.js';
import { APP_CONFIG } from '../config/app-config.token.js';

/** AdminJS's layout and login templates hard-code this stylesheet; the panel must load with no outside request. */
const EXTERNAL_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

type Options = Parameters<ExpressLoader['register']>[2];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a state-changing request shows that it came from the panel's own
 * pages. Browsers send Origin on every POST and Sec-Fetch-Site on secure and
 * loopback origins, so a request with neither did not come from a browser
 * page of ours: it is refused like a foreign one (a cookie alone proves nothing).
 */
function fromOwnPages(req: Request, ownOrigin: string): boolean {
  const origin = req.get('origin');
  const site = req.get('sec-fetch-site');
  if (origin !== undefined && origin !== ownOrigin) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  return origin !== undefined || site !== undefined;
}

/** Whether a request carries a body, by the rule of RFC 9112 section 6.3 (type-is's `hasBody`). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * ExpressLoader, with the router wrapped: requests that change something must
 * come from the panel's own pages (`fromOwnPages`, against CSRF), requests
 * without a body skip the form parser, and HTML pages go out without the external font stylesheet. The function keeps
 * the name `admin`: the loader finds its layer by that name to move it ahead
 * of Nest's body parsers.
 */
@Injectable()
export class PanelLoader extends ExpressLoader {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  // async: it overrides ExpressLoader's async register(), whose callers await it.
  // eslint-disable-next-line @typescript-eslint/require-await
  override async register(admin: AdminJS, httpAdapter: AbstractHttpAdapter, options: Options): Promise<void> {
    const ownOrigin = new URL(this.config.publicBaseUrl).origin;
    const refusal = `This request did not come from the admin panel and was refused. Use the panel at ${ownOrigin}${admin.options.rootPath}; a script must send the header Origin: ${ownOrigin}.`;
    const app = httpAdapter.getInstance<Application>();
    const router = options.auth
      ? AdminJSExpress.buildAuthenticatedRouter(admin, options.auth, undefined, options.sessionOptions, options.formidableOptions)
      : AdminJSExpress.buildRouter(admin, undefined, options.formidableOptions);
    app.use(admin.options.rootPath, function admin(req: Request, res: Response, next: NextFunction) {
      if (!SAFE_METHODS.has(req.method) && !fromOwnPages(req, ownOrigin)) {
        return res.status(403).type('text/plain').send(refusal);
      }
      // A request without a body (a GET, the Check button's POST) has nothing for the router's form parser, which
      // would still set up a parse and wait for the end of the stream: it is marked parsed, with no fields.
      if (!hasBody(req)) Object.assign(req, { fields: {}, files: {}, express_formidable: { parsed: true } });
      const send = res.send.bind(res);
      res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(EXTERNAL_FONTS, '') : body);
      return router(req, res, next);
    });
    (this as unknown as { reorderRoutes(app: unknown): void }).reorderRoutes(app);
  }
}
