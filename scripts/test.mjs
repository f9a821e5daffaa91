// The whole suite: builds the app (Jest's e2e suites serve the built AdminJS
// bundle), then runs Jest in ESM mode and closes with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { stdio: 'inherit', env });
const step = (cmd, args) => {
  const { status } = run(cmd, args);
  if (status !== 0) process.exit(status ?? 1);
};

step('npm', ['run', '--silent', 'build']);

// Test peers from Debian, installed once before Jest's timeouts run: Dovecot (IMAP, POP3,
// submission) for the mail tests, Chromium for the browser walkthrough and OpenLDAP for the directory tests.
for (const [probe, packages, why, preseed] of [
  [['dovecot', '--version'], ['dovecot-imapd', 'dovecot-pop3d', 'dovecot-submissiond'], 'The mail tests need Dovecot'],
  [['chromium', '--version'], ['chromium'], 'The browser walkthrough needs Chromium'],
  [['/usr/sbin/slapd', '-VV'], ['slapd'], 'The directory (Related LDAPs) tests need OpenLDAP'],
  // The second authorization server (test/peers/README.md). Its postinst fails unless told to write no system config.
  [['glewlwyd', '--version'], ['glewlwyd', 'dbconfig-no-thanks'], 'The second authorization server needs Glewlwyd', 'glewlwyd glewlwyd/config_type select No configuration\n'],
]) {
  if (spawnSync(probe[0], probe.slice(1)).status === 0) continue;
  if (process.getuid?.() !== 0) {
    console.error(`${why}. Install it with: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (preseed) spawnSync('debconf-set-selections', { input: preseed });
  const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env).status === 0;
  if (!install() && !(run('apt-get', ['update', '-qq'], env).status === 0 && install())) {
    console.error(`apt-get could not install ${packages.join(' ')}`);
    process.exit(1);
  }
}

// A test CA, trusted by the Jest process through NODE_EXTRA_CA_CERTS (read only at start-up), and a
// certificate for 127.0.0.1 and localhost signed by it: the https authorization server (Azure's sign-in
// metadata must be https) serves it.
const tls = mkdtempSync(join(tmpdir(), 'oauth-mail-tls-'));
const openssl = (...args) => {
  const made = spawnSync('openssl', args, { stdio: 'pipe' });
  if (made.status !== 0) {
    console.error(`openssl ${args[0]} failed: ${made.stderr}`);
    process.exit(1);
  }
};
writeFileSync(join(tls, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=oauth-mail test CA', '-keyout', join(tls, 'ca.key'), '-out', join(tls, 'ca.pem'));
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'csr.pem'));
openssl('x509', '-req', '-in', join(tls, 'csr.pem'), '-CA', join(tls, 'ca.pem'), '-CAkey', join(tls, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', join(tls, 'ext.cnf'), '-out', join(tls, 'cert.pem'));

// --db-only: the suites that touch a database (integration and e2e), for the PostgreSQL run.
const args = process.argv.slice(2).flatMap((a) => (a === '--db-only' ? ['--testPathPatterns', '(int|e2e)-spec\\.ts$'] : [a]));

const results = join(mkdtempSync(join(tmpdir(), 'oauth-mail-jest-')), 'results.json');
const { status } = run(process.execPath, [
  '--experimental-vm-modules',
  '--disable-warning=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
  '--config',
  'test/jest.config.js',
  '--runInBand',
  '--json',
  `--outputFile=${results}`,
  ...args,
], { ...process.env, NODE_EXTRA_CA_CERTS: join(tls, 'ca.pem'), OAUTH_MAIL_TEST_TLS_DIR: tls });
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  if (r.numTotalTests === 0) process.exit(1);
  // Jest can fail a run whose tests all passed (a suite that failed to load or to clean up):
  // say which, rather than leaving a bare exit code.
  for (const suite of r.testResults) {
    if (suite.status === 'failed' && suite.assertionResults.every((a) => a.status !== 'failed')) {
      console.log(`suite failed outside its tests: ${suite.name}\n${suite.message}`);
    }
  }
} catch {
  console.log('0 passed, 1 failed');
}
process.exit(status ?? 1);
