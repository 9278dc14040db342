// A real OpenID Connect provider for the tests (the `oidc-provider` package), on 127.0.0.1 only.
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI TENANT
// Any login name signs in (the package's development login page); the person's claims are made from it
// the way Microsoft Entra ID names people: `oid` (stable object id), `tid` (tenant), email, name, groups.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri, tenant] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  pkce: { required: () => true },
  // Entra puts the person's claims in the ID token; so does this provider.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'oid', 'tid', 'groups'],
    email: ['email'],
    profile: ['name'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: `pairwise-${id}`,
          oid: `object-id-${id}`,
          tid: tenant,
          email: `${id}@council.example`,
          name: `${id.charAt(0).toUpperCase()}${id.slice(1)} Council`,
          groups: [`group-${id}`],
        };
      },
    };
  },
  cookies: { keys: ['tests-only-cookie-key'] },
  features: { devInteractions: { enabled: true } },
});

provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
