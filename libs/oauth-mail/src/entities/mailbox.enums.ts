export const MailDirection = { Incoming: 'incoming', Outgoing: 'outgoing' } as const;
export type MailDirection = (typeof MailDirection)[keyof typeof MailDirection];

export const MailProtocol = { Imap: 'imap', Pop3: 'pop3', Smtp: 'smtp' } as const;
export type MailProtocol = (typeof MailProtocol)[keyof typeof MailProtocol];

/** `ssl`: TLS from the first byte (993, 995, 465). `starttls`: upgrade a plain connection. */
export const MailEncryption = { None: 'none', Ssl: 'ssl', StartTls: 'starttls' } as const;
export type MailEncryption = (typeof MailEncryption)[keyof typeof MailEncryption];

export const CheckStatus = { Ok: 'ok', Failed: 'failed' } as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** Which protocols each direction may use. */
export const PROTOCOLS_BY_DIRECTION: Readonly<Record<MailDirection, readonly MailProtocol[]>> = {
  incoming: ['imap', 'pop3'],
  outgoing: ['smtp'],
};

/** Standard ports, used when the port is left empty and to catch port/encryption mix-ups. */
export const DEFAULT_PORTS: Readonly<Record<MailProtocol, Readonly<Record<MailEncryption, number>>>> = {
  imap: { ssl: 993, starttls: 143, none: 143 },
  pop3: { ssl: 995, starttls: 110, none: 110 },
  smtp: { ssl: 465, starttls: 587, none: 25 },
};
