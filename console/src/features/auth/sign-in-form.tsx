'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ErrorMessage } from '@/components/states';
import { type ApiError, toApiError } from '@/lib/api-error';
import { homeOf, safeNext } from '@/lib/session';
import { useAuth } from './auth-context';

/** `alternative`: another way to sign in (single sign-on), shown under the password form. */
export function SignInForm({ alternative }: { alternative?: ReactNode }) {
  const { signIn, session } = useAuth();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const ended = params.get('ended') === '1';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);
  useEffect(() => {
    if (session) router.replace(next ?? homeOf(session.user.role));
  }, [session, next, router]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(email.trim(), password);
    } catch (caught) {
      setError(toApiError(caught));
      emailRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <h1>Sign in</h1>
      <p className="muted">Use your lead scoring account. The demo (npm run demo) prints its demo accounts.</p>
      {ended && !error && (
        <p className="state warning" role="status">
          Your session has ended. Sign in again to go on.
        </p>
      )}
      <form onSubmit={submit} className="form-stack" aria-describedby={error ? 'sign-in-error' : undefined}>
        <div className="field">
          <label htmlFor="email">E-mail</label>
          <input
            id="email"
            ref={emailRef}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        {error && <ErrorMessage id="sign-in-error" error={error} title="Not signed in" />}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {alternative}
    </div>
  );
}
