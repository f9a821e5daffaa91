import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyAndCertificate {
  key: string;
  cert: string;
}

export interface TestCertificates {
  /** The test CA that `npm test` creates and the test process trusts (NODE_EXTRA_CA_CERTS). */
  ca: string;
  /** localhost and 127.0.0.1, signed by the test CA. */
  valid: KeyAndCertificate;
  /** The same names and CA, valid only in January 2020. */
  expired: KeyAndCertificate;
  /** localhost and 127.0.0.1, self-signed. */
  selfSigned: KeyAndCertificate;
}

/** Certificates for TLS failure tests, made with openssl and signed by the test CA of scripts/test.mjs. */
export function testCertificates(): TestCertificates {
  const caDir = process.env.OAUTH_MAIL_TEST_TLS_DIR;
  if (!caDir) throw new Error('The TLS tests need the test CA: run them through `npm test`.');
  const dir = mkdtempSync(join(tmpdir(), 'oauth-mail-certs-'));
  const openssl = (...args: string[]) => {
    const made = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl ${args[0]} failed: ${made.stderr}`);
  };
  const names = 'subjectAltName=DNS:localhost,IP:127.0.0.1';
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', names, '-keyout', 'leaf.key', '-out', 'leaf.csr');
  writeFileSync(join(dir, 'ext.cnf'), `${names}\n`);
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', join(caDir, 'ca.pem'), '-CAkey', join(caDir, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'valid.pem');
  // `openssl ca` is the one command of OpenSSL 3.0 that takes explicit validity dates.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n[any]\ncommonName = supplied\n`,
  );
  openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', join(caDir, 'ca.pem'), '-keyfile', join(caDir, 'ca.key'), '-in', 'leaf.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200131000000Z', '-notext');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', names, '-keyout', 'self.key', '-out', 'self.pem');
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    ca: readFileSync(join(caDir, 'ca.pem'), 'utf8'),
    valid: { key: read('leaf.key'), cert: read('valid.pem') },
    expired: { key: read('leaf.key'), cert: read('expired.pem') },
    selfSigned: { key: read('self.key'), cert: read('self.pem') },
  };
}
