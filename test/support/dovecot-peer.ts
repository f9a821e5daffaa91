import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `npm test` installs Dovecot before Jest starts (scripts/test.mjs); running Jest alone needs it already. */
export function ensureDovecot(): void {
  if (spawnSync('dovecot', ['--version']).status === 0) return;
  throw new Error('Dovecot is needed for the mail tests: run them through `npm test`, which installs it, or apt-get install -y --no-install-recommends dovecot-imapd dovecot-pop3d dovecot-submissiond');
}

// Ports handed out in this process: the kernel may offer a just-closed port again.
const handedOut = new Set<number>();

/** A free loopback port, never one this process has handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => done(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface DovecotPorts {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  submission: number;
  submissions: number;
}

export interface DovecotOptions {
  /** The oidc-provider issuer whose introspection endpoint checks bearer tokens. */
  issuer: string;
  /** Port of the SMTP sink that Dovecot submission relays to. */
  relayPort: number;
  /** SASL mechanisms offered; Microsoft offers only XOAUTH2 (besides passwords). */
  mechanisms?: string[];
  /** Password users. */
  users?: Record<string, string>;
  /**
   * Shared mailboxes (Microsoft-like): a token opens every mailbox listed in its
   * `mailboxes` claim, not only its own, through a checkpassword passdb that introspects it.
   */
  delegation?: boolean;
  /**
   * Checks bearer tokens as JWTs signed by this key, without asking the authorization server
   * (oauth2 passdb `introspection_mode = local`): tokens need `typ: JWT`, `sub` (the mailbox user) and `exp`.
   */
  jwtValidationKey?: { kid: string; alg: string; publicKeyPem: string };
  /** Accept any character in a username (Dovecot's default allows letters, digits and .-_@ only). */
  anyUsernameChars?: boolean;
  /** Sessions one user may hold from one IP (`mail_max_userip_connections`; Dovecot's default is 10). */
  maxUserIpConnections?: number;
  /**
   * Dovecot's high-performance login mode (login processes kept and shared, as busy servers
   * run): without it every connection forks a login process, which bounds a fleet benchmark.
   */
  sharedLoginProcesses?: boolean;
}

/**
 * A real Dovecot 2.3 (IMAP, POP3, submission) on free loopback ports, from a
 * config in a temp dir: passwords from a file, bearer tokens checked by
 * introspection at the test authorization server, TLS with a self-signed certificate.
 */
export class DovecotPeer {
  private constructor(
    readonly dir: string,
    readonly ports: DovecotPorts,
    /** PEM of the self-signed certificate, to trust it explicitly. */
    readonly certificate: string,
  ) {}

  static async start(options: DovecotOptions): Promise<DovecotPeer> {
    ensureDovecot();
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-dovecot-'));
    const ports: DovecotPorts = {
      imap: await freePort(),
      imaps: await freePort(),
      pop3: await freePort(),
      pop3s: await freePort(),
      submission: await freePort(),
      submissions: await freePort(),
    };
    for (const sub of ['base', 'state', 'tls', 'mail']) mkdirSync(join(dir, sub), { recursive: true });
    chmodSync(join(dir, 'mail'), 0o777);
    chmodSync(dir, 0o755);
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'tls/key.pem'), '-out', join(dir, 'tls/cert.pem'),
    ], { stdio: 'ignore' });
    const users = options.users ?? {};
    writeFileSync(join(dir, 'users'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}::::::`).join('\n') + '\n');
    const introspection = new URL('/token/introspection', options.issuer);
    introspection.username = 'dovecot';
    introspection.password = 'dovecot-secret';
    const jwt = options.jwtValidationKey;
    if (jwt) {
      // Key files are <prefix>/<azp|default>/<alg>/<kid>.
      mkdirSync(join(dir, 'keys/default', jwt.alg), { recursive: true });
      writeFileSync(join(dir, 'keys/default', jwt.alg, jwt.kid), jwt.publicKeyPem);
    }
    writeFileSync(join(dir, 'oauth2.conf.ext'), (jwt ? [
      'introspection_mode = local',
      `local_validation_key_dict = fs:posix:prefix=${dir}/keys/`,
      'username_attribute = sub',
    ] : [
      'introspection_mode = post',
      `introspection_url = ${introspection}`,
      'force_introspection = yes',
      'username_attribute = email',
      'active_attribute = active',
      'active_value = true',
      'timeout_msecs = 3000',
    ]).join('\n') + '\n');
    const mechanisms = options.mechanisms ?? ['plain', 'login', 'xoauth2', 'oauthbearer'];
    const oauthMechs = mechanisms.filter((m) => m === 'xoauth2' || m === 'oauthbearer');
    if (options.delegation) {
      // Dovecot hands the bearer token to checkpassword as the password (fd 3: user\0token\0).
      writeFileSync(join(dir, 'delegation.cjs'), `#!${process.execPath}
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const [user, token] = readFileSync(3).toString('utf8').split('\\0');
fetch(${JSON.stringify(new URL('/token/introspection', options.issuer).toString())}, {
  method: 'POST',
  headers: { authorization: 'Basic ' + Buffer.from('dovecot:dovecot-secret').toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token }),
}).then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status))))).then((info) => {
  const allowed = info.active && (info.mailboxes || []).map((m) => m.toLowerCase()).includes(user.toLowerCase());
  if (!allowed) process.exit(1);
  const reply = spawnSync(process.argv[2], { stdio: [0, 1, 2, 3, 4], env: { ...process.env, USER: user } });
  process.exit(reply.status ?? 111);
}, () => process.exit(111));
`, { mode: 0o755 });
    }
    writeFileSync(join(dir, 'dovecot.conf'), `
protocols = imap pop3 submission
listen = 127.0.0.1
base_dir = ${dir}/base
state_dir = ${dir}/state
instance_name = dovecot-test-${ports.imap}
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
auth_verbose = yes
ssl = yes
ssl_cert = <${dir}/tls/cert.pem
ssl_key = <${dir}/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = ${mechanisms.join(' ')}
${options.anyUsernameChars ? 'auth_username_chars =\n' : ''}${options.maxUserIpConnections ? `mail_max_userip_connections = ${options.maxUserIpConnections}\n` : ''}auth_cache_size = 0
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${dir}/users
}
${!oauthMechs.length ? '' : options.delegation ? `passdb {
  driver = checkpassword
  mechanisms = ${oauthMechs.join(' ')}
  args = ${dir}/delegation.cjs
}
service auth {
  vsz_limit = 0
}
service auth-worker {
  vsz_limit = 0
}` : `passdb {
  driver = oauth2
  mechanisms = ${oauthMechs.join(' ')}
  args = ${dir}/oauth2.conf.ext
}`}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/mail/%Lu allow_all_users=yes
}
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
${options.sharedLoginProcesses ? '  service_count = 0\n  process_min_avail = 2\n  vsz_limit = 1G\n' : ''}  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    port = ${ports.submission}
  }
  inet_listener submissions {
    port = ${ports.submissions}
    ssl = yes
  }
}
pop3_uidl_format = %08Xu%08Xv
submission_relay_host = 127.0.0.1
submission_relay_port = ${options.relayPort}
submission_relay_trusted = yes
submission_relay_ssl = no
hostname = mail.example.test
`);
    // Dovecot keeps the caller's stdout open; send it to a file so this call returns.
    const out = openSync(join(dir, 'start.log'), 'a');
    const started = spawnSync('dovecot', ['-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', out, out] });
    closeSync(out);
    if (started.status !== 0) throw new Error(`Dovecot did not start: ${readFileSync(join(dir, 'start.log'), 'utf8')}`);
    const peer = new DovecotPeer(dir, ports, readFileSync(join(dir, 'tls/cert.pem'), 'utf8'));
    await peer.waitForPort(ports.imap);
    return peer;
  }

  /** Delivers a raw message into a user's INBOX, as the MTA would. */
  deliver(user: string, raw: string, from = 'sender@example.test'): void {
    const run = spawnSync('/usr/lib/dovecot/dovecot-lda', ['-c', join(this.dir, 'dovecot.conf'), '-d', user, '-f', from], { input: raw });
    if (run.status !== 0) throw new Error(`dovecot-lda failed: ${run.stderr.toString()}`);
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private async waitForPort(port: number): Promise<void> {
    const { connect } = await import('node:net');
    for (let i = 0; i < 50; i++) {
      const ok = await new Promise<boolean>((done) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          done(true);
        }).once('error', () => done(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Dovecot did not listen on ${port}: ${this.log().slice(-2000)}`);
  }

  stop(): void {
    spawnSync('dovecot', ['-c', join(this.dir, 'dovecot.conf'), 'stop'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
