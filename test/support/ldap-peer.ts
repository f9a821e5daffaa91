import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './dovecot-peer.js';

/** `npm test` installs slapd before Jest starts (scripts/test.mjs); running Jest alone needs it already. */
export function ensureSlapd(): void {
  if (spawnSync('/usr/sbin/slapd', ['-VV']).status === 0) return;
  throw new Error('OpenLDAP is needed for the directory tests: run them through `npm test`, which installs it, or apt-get install -y --no-install-recommends slapd');
}

export interface LdapPerson {
  uid: string;
  cn: string;
  mail: string;
  /** Lands in `title`: the tests map it to the admin role. */
  title?: string;
  /** Values of the multi-valued `businessCategory`, standing in for group memberships. */
  groups?: string[];
}

export const LDAP_SUFFIX = 'dc=example,dc=test';
export const LDAP_READER_DN = `cn=reader,ou=services,${LDAP_SUFFIX}`;

/**
 * A real OpenLDAP (Debian's slapd) on loopback ports from a config in a temp
 * dir: people under ou=people, a service account that may read them, plain
 * LDAP and LDAPS with a self-signed certificate.
 */
export class LdapPeer {
  private constructor(
    private readonly dir: string,
    private readonly process: ChildProcess,
    readonly port: number,
    readonly ldapsPort: number,
    /** PEM of the self-signed certificate, to trust it explicitly. */
    readonly certificate: string,
    readonly readerPassword: string,
  ) {}

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get ldapsUrl(): string {
    return `ldaps://localhost:${this.ldapsPort}`;
  }

  static async start(people: LdapPerson[], readerPassword = 'reader-secret'): Promise<LdapPeer> {
    ensureSlapd();
    const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-slapd-'));
    mkdirSync(join(dir, 'db'));
    const [port, ldapsPort] = [await freePort(), await freePort()];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const conf = join(dir, 'slapd.conf');
    writeFileSync(conf, `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
TLSCertificateFile ${dir}/cert.pem
TLSCertificateKeyFile ${dir}/key.pem
disallow bind_anon
require authc
database mdb
maxsize 10485760
suffix "${LDAP_SUFFIX}"
rootdn "cn=admin,${LDAP_SUFFIX}"
rootpw admin-not-used-by-tests
directory ${dir}/db
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="${LDAP_READER_DN}" read by self read by * none
`);
    const entry = (dn: string, ...lines: string[]) => [`dn: ${dn}`, ...lines, ''].join('\n');
    writeFileSync(join(dir, 'data.ldif'), [
      entry(LDAP_SUFFIX, 'objectClass: dcObject', 'objectClass: organization', 'o: Example', 'dc: example'),
      entry(`ou=people,${LDAP_SUFFIX}`, 'objectClass: organizationalUnit', 'ou: people'),
      entry(`ou=services,${LDAP_SUFFIX}`, 'objectClass: organizationalUnit', 'ou: services'),
      entry(LDAP_READER_DN, 'objectClass: person', 'cn: reader', 'sn: reader', `userPassword: ${readerPassword}`),
      ...people.map((p) => entry(
        `uid=${p.uid},ou=people,${LDAP_SUFFIX}`,
        'objectClass: inetOrgPerson', `uid: ${p.uid}`, `cn: ${p.cn}`, `sn: ${p.cn.split(' ').pop()}`, `mail: ${p.mail}`,
        ...(p.title ? [`title: ${p.title}`] : []),
        ...(p.groups ?? []).map((g) => `businessCategory: ${g}`),
      )),
    ].join('\n'));
    execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
    // -d keeps slapd in the foreground, so it ends with the test process.
    const child = spawn('/usr/sbin/slapd', ['-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const peer = new LdapPeer(dir, child, port, ldapsPort, readFileSync(join(dir, 'cert.pem'), 'utf8'), readerPassword);
    for (let i = 0; ; i++) {
      if (await canConnect(port)) return peer;
      if (i > 50 || child.exitCode !== null) {
        peer.stop();
        throw new Error(`slapd did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    this.process.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      done(true);
    }).once('error', () => done(false));
  });
}
