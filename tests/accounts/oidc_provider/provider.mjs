// A certified OpenID provider (panva's oidc-provider) for the single sign-on tests.
// Usage: node provider.mjs PORT — prints "ready" once it listens on 127.0.0.1:PORT.
// Its development interactions accept any login: the login typed is the account id and
// the email address in the ID token. Signing keys are the library's development keys.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'ceo-app-mobile',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['nl.ceotelecom.app:/oauth2redirect'],
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true };
      },
    };
  },
  // Put the email in the ID token itself, as Entra ID, Okta and Google do (by default this
  // library, following the spec strictly, returns scope claims only from userinfo).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-only-cookie-signing-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log('ready');
});
