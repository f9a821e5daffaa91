/**
 * The app's OAuth routes. The callback is also the path the library builds
 * every Redirect URI from (its `callbackPath` option), so both come from here.
 */
export const CALLBACK_ROUTE = 'oauth/callback';
export const SIGN_IN_ROUTE = 'oauth/sign-in';
