'use client';
import { useActionState, useState } from 'react';
import { signInWithPassword, type SignInState } from './actions';

/** Step one asks for email and password; an account with TOTP on gets step two, the code. */
export function SignInForm({ initialError }: { initialError: string | null }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, { step: 'password', error: initialError });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const codeStep = state.step === 'code';
  return (
    <form action={action} style={{ display: 'grid', gap: '0.75rem' }} data-testid="signin-form" data-step={state.step}>
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="step" value={state.step} />
      {codeStep ? (
        <>
          <input type="hidden" name="email" value={email} />
          <input type="hidden" name="password" value={password} />
          <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
          <label>
            Authentication code{' '}
            <input name="code" autoComplete="one-time-code" inputMode="text" autoFocus required maxLength={64} />
          </label>
          <button type="submit" disabled={pending}>Verify</button>
        </>
      ) : (
        <>
          <label>
            Email <input name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <label>
            Password{' '}
            <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <button type="submit" disabled={pending}>Sign in</button>
        </>
      )}
    </form>
  );
}
