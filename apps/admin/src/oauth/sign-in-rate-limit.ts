import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { validationResultPage } from './validation-result.page.js';

/**
 * Anonymous sign-in starts store a transaction and a session each, and
 * callbacks make the server call the provider: both are limited per client IP
 * (a fixed one-minute window), each route counted on its own. A person over
 * the limit gets a page that says so, with Retry-After.
 */
export function signInRateLimits(perMinute: number): RequestHandler[] {
  const limiter = () =>
    rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, res) => {
        res
          .status(429)
          .type('html')
          .send(validationResultPage(false, 'Too many sign-in attempts came from your address. Wait a minute, then try again.', 'Sign-in failed'));
      },
    });
  return [limiter(), limiter()];
}
