// A peer of the simulator: Procore's own JavaScript SDK signs in with an
// authorization code and reads /me, the companies and the projects, as a
// real integration would. The settings come on stdin as JSON (never in the
// environment or the arguments); the findings go to stdout as JSON, with
// no token in them.
'use strict';

const sdk = require('@procore/js-sdk');

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => { data += chunk; });
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

// settled turns the SDK's answer, or its rejection (it rejects a non-2xx
// with the same shape), into {status, body, total}.
async function settled(promise) {
  try {
    const r = await promise;
    return { status: r.response.status, body: r.body, total: r.response.headers.get('Total') };
  } catch (r) {
    if (r && r.response) {
      return { status: r.response.status, body: r.body, total: null };
    }
    throw r;
  }
}

async function main() {
  const cfg = JSON.parse(await readStdin());
  const opts = { apiHostname: cfg.api };
  const token = await sdk.token({ id: cfg.clientId, secret: cfg.clientSecret, code: cfg.code, uri: cfg.redirect }, opts);
  const out = { tokenKeys: Object.keys(token).sort(), tokenType: token.token_type, expiresIn: token.expires_in };

  const info = await sdk.info(token.access_token, opts);
  out.infoKeys = Object.keys(info).sort();
  out.infoOwner = info.resource_owner_id;

  const client = sdk.client(sdk.oauth(token.access_token), {}, opts);
  // A user's token reads /me and the companies without Procore-Company-Id.
  out.me = await settled(client.get({ base: '/me' }));
  out.companies = await settled(client.get({ base: '/companies' }));
  out.projects = await settled(client.get(
    { base: '/projects', version: 'v1.1', qs: { company_id: cfg.companyId, per_page: 300 } },
    { companyId: cfg.companyId }));
  out.projects.body = Array.isArray(out.projects.body) ? out.projects.body.length : out.projects.body;

  const refreshed = await sdk.refresh({ id: cfg.clientId, secret: cfg.clientSecret, uri: cfg.redirect,
    token: token.access_token, refresh: token.refresh_token }, opts);
  out.refreshedKeys = Object.keys(refreshed).sort();
  out.refreshChanged = refreshed.refresh_token !== token.refresh_token;

  await sdk.revoke({ token: refreshed.access_token, clientId: cfg.clientId, clientSecret: cfg.clientSecret }, opts);
  out.afterRevoke = (await settled(sdk.client(sdk.oauth(refreshed.access_token), {}, opts).get({ base: '/me' }))).status;

  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  // A message only: an error object could hold the request with its token.
  process.stderr.write('peer: ' + (err && err.message ? err.message : String(err)) + '\n');
  process.exit(1);
});
