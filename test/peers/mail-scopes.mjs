/** The scopes both test authorization servers grant for mail (Google's, Microsoft's, and a plain one for Generic clients). */
export const MAIL_SCOPES = [
  'https://mail.google.com/',
  'https://outlook.office.com/IMAP.AccessAsUser.All',
  'https://outlook.office.com/POP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
  'mail',
];
