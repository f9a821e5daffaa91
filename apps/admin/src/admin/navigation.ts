/** The sidebar group of the product's resources. */
export const OAUTH_MAIL_NAVIGATION = { name: 'OAuth Mail', icon: 'Mail' };
