import { Injectable } from '@nestjs/common';
import { ExpressLoader } from '@adminjs/nestjs';
import AdminJSExpress from '@adminjs/express';
import type AdminJS from 'adminjs';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';

/** AdminJS's layout and login templates hard-code this stylesheet; the panel must load with no outside request. */
const EXTERNAL_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

type Options = Parameters<ExpressLoader['register']>[2];

/**
 * ExpressLoader, with the router wrapped so that HTML pages go out without the
 * external font stylesheet. The function keeps the name `admin`: the loader
 * finds its layer by that name to move it ahead of Nest's body parsers.
 */
@Injectable()
export class PanelLoader extends ExpressLoader {
  override async register(admin: AdminJS, httpAdapter: AbstractHttpAdapter, options: Options): Promise<void> {
    const app = httpAdapter.getInstance();
    const router = options.auth
      ? AdminJSExpress.buildAuthenticatedRouter(admin, options.auth as never, undefined, options.sessionOptions, options.formidableOptions)
      : AdminJSExpress.buildRouter(admin, undefined, options.formidableOptions);
    app.use(options.adminJsOptions.rootPath, function admin(req: Request, res: Response, next: NextFunction) {
      const send = res.send.bind(res);
      res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(EXTERNAL_FONTS, '') : body);
      return router(req, res, next);
    });
    (this as unknown as { reorderRoutes(app: unknown): void }).reorderRoutes(app);
  }
}
