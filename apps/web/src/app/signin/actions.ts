'use server';
import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn } from '@/server/auth/auth';
import { codeMessage } from './messages';

export interface SignInState {
  step: 'password' | 'code';
  error: string | null;
}

/** Email + password, then (for accounts with TOTP on) the same again with the code. */
export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const code = String(form.get('code') ?? '').trim();
  const step: SignInState['step'] = form.get('step') === 'code' ? 'code' : 'password';
  try {
    await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      ...(code && { code }),
      redirectTo: '/',
    });
  } catch (e) {
    // A successful sign-in throws Next's redirect, which must propagate.
    if (e instanceof CredentialsSignin) {
      if (e.code === 'totp-required') return { step: 'code', error: step === 'code' ? 'Enter the 6-digit code.' : null };
      if (e.code === 'totp-invalid') return { step: 'code', error: codeMessage(e.code) };
      return { step: 'password', error: codeMessage(e.code) };
    }
    if (e instanceof AuthError) return { step: 'password', error: codeMessage('credentials') };
    throw e;
  }
  return { step: 'password', error: null };
}

export async function signInWithOidc(): Promise<void> {
  await signIn('oidc', { redirectTo: '/' });
}
