'use strict';
// A bad setting stops start-up with a ConfigError naming the variable (exit 2), and no secret.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ConfigError } = require('../src/errors');
const { loadHoldings } = require('../src/services/portfolio');

function tempFile(t, content) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portfolio-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'portfolio.json');
  if (content !== undefined) fs.writeFileSync(file, content);
  return file;
}

for (const [name, content] of [['missing', undefined], ['not JSON', '{"BTC": '], ['of the wrong shape', '["BTC"]'],
  ['with a bad amount', '{"BTC": 1.5}']]) {
  test(`DEMO_PORTFOLIO_FILE ${name} — a ConfigError naming DEMO_PORTFOLIO_FILE`, (t) => {
    const file = tempFile(t, content);
    assert.throws(() => loadHoldings(file), (err) => err instanceof ConfigError && /DEMO_PORTFOLIO_FILE/.test(err.message));
  });
}

function start(env) {
  return spawnSync(process.execPath, [path.join(__dirname, '..', 'src', 'server.js')], {
    env: { PATH: process.env.PATH, ENV_FILE: '/nonexistent', DATABASE_PATH: ':memory:', PORT: '0', ...env },
    encoding: 'utf8', timeout: 10_000,
  });
}

for (const [variable, value] of [['TRUST_PROXY', 'banana'], ['JWT_SECRET', 'z'.repeat(40)],
  ['DEMO_PORTFOLIO_FILE', '/nonexistent/portfolio.json']]) {
  test(`server start — ${variable}=${value.slice(0, 12)}… — exits 2 with a message naming ${variable}`, () => {
    const run = start({ [variable]: value });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`configuration error: .*${variable}`));
    if (variable === 'JWT_SECRET') assert.ok(!run.stderr.includes(value));
  });
}

test('server start — PYTHON_SERVICE_URL with credentials and a bad scheme — names it and never shows the credentials', () => {
  const run = start({ PYTHON_SERVICE_URL: 'ftp://svcuser:Sup3rSecretPw@127.0.0.1:5001' });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /PYTHON_SERVICE_URL/);
  assert.doesNotMatch(run.stderr, /Sup3rSecretPw|svcuser/);
  assert.match(run.stderr, /ftp:\/\/\*\*\*@127\.0\.0\.1/);
});

for (const value of ['ftp://svc user:Sup3r Secret@Pw/x@127.0.0.1:5001', 'ftp://svcuser:Sup3r\tSecretPw@127.0.0.1:5001',
  'ftp:svcuser:Sup3rSecretPw@127.0.0.1:5001']) {
  test(`server start — PYTHON_SERVICE_URL=${JSON.stringify(value.slice(0, 12))}… with odd credentials — never shows them`, () => {
    const run = start({ PYTHON_SERVICE_URL: value });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /PYTHON_SERVICE_URL/);
    assert.doesNotMatch(run.stderr, /Sup3r|Secret|svc/);
    assert.match(run.stderr, /ftp:(\/\/)?\*\*\*@127\.0\.0\.1:5001/);
  });
}
