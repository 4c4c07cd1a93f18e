import { AuthProvidersQuery } from '@/features/auth/operations';
import { apiGraphqlUrl } from '@/lib/api-url';

interface Provider {
  id: string;
  name: string;
  loginUrl: string;
}

/** Why a single sign-on came back refused, in words; `{provider}` is the provider's name. */
const SSO_ERRORS: Record<string, string> = {
  SSO_CONSENT_DENIED: 'Signing in was cancelled at {provider}. Try again and accept the request to go on.',
  SSO_PROVIDER_ERROR: '{provider} refused the sign-in. Try again; if it keeps happening, tell your administrator.',
  SSO_PROVIDER_UNAVAILABLE: '{provider} does not answer. Try again in a moment, or sign in with your password.',
  SSO_BAD_STATE: 'This sign-in link has expired or was opened in another browser. Start again from this page.',
  SSO_INVALID_RESPONSE: 'The answer from {provider} could not be verified. Start again; if it keeps happening, tell your administrator.',
  SSO_EMAIL_NOT_VERIFIED: '{provider} has not verified your e-mail address. Verify it there, then try again.',
  SSO_DOMAIN_NOT_ALLOWED: 'Your e-mail address is not from a domain allowed to sign in here.',
  SSO_ROLE_NOT_MAPPED: 'None of your groups at {provider} gives access to the lead scoring console. Ask an administrator to add you.',
  SSO_UNKNOWN_USER: 'There is no lead scoring account for you yet. Ask an administrator to create one.',
  SSO_USER_DISABLED: 'Your lead scoring account is disabled. Ask an administrator.',
  SSO_IDENTITY_CONFLICT: 'Your e-mail address is already linked to another {provider} account. Ask an administrator.',
  SSO_INVALID_CODE: 'This sign-in has expired or was already used. Start again from this page.',
  API_UNREACHABLE: 'The lead scoring service does not answer. Try again in a moment.',
};

async function providers(): Promise<Provider[]> {
  try {
    const response = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: AuthProvidersQuery.toString() }),
      cache: 'no-store',
    });
    const body = (await response.json()) as { data?: { authProviders: Provider[] } | null };
    return body.data?.authProviders ?? [];
  } catch {
    // The API does not answer: the password form says so when it is used.
    return [];
  }
}

/**
 * "Sign in with <provider>" when the API has single sign-on, and why the last one was refused. The
 * link goes to the API, which sends the browser to the provider and back to /session/sso.
 */
export async function SsoSignIn({ error, next }: { error: string | null; next: string | null }) {
  const [provider] = await providers();
  if (!provider && !error) return null;
  const name = provider?.name ?? 'your company account';
  const message = error ? (SSO_ERRORS[error] ?? 'Single sign-on failed. Start again from this page.').replace('{provider}', name) : null;
  const href = provider ? `${provider.loginUrl}${next ? `?returnTo=${encodeURIComponent(next)}` : ''}` : null;
  return (
    <div className="form-stack">
      {message && (
        <div className="state error" role="alert">
          <strong>Not signed in: </strong>
          {message}
        </div>
      )}
      {href && (
        <a className="button" href={href}>
          Sign in with {name}
        </a>
      )}
    </div>
  );
}
