/** Readable text for the safe codes SignInRefused carries (also found in ?code= after a redirect). */
export function codeMessage(code: string | null | undefined): string {
  const minutes = (n: string) => `${n} minute${n === '1' ? '' : 's'}`;
  const m = /^(locked|rate-limited)-(\d+)$/.exec(code ?? '');
  if (m?.[1] === 'locked') return `Too many failed attempts; try again in ${minutes(m[2]!)}.`;
  if (m?.[1] === 'rate-limited') return `Too many sign-in attempts from your network; try again in ${minutes(m[2]!)}.`;
  switch (code) {
    case 'totp-invalid':
      return 'That code is not valid. Try the current code or a recovery code.';
    case 'totp-required':
      return 'Enter the 6-digit code from your authenticator app.';
    case 'disabled':
      return 'This account is disabled.';
    default:
      return 'Wrong email or password.';
  }
}

/** Text for Auth.js's ?error= after a redirect (OIDC failures, direct form posts). */
export function errorMessage(error: string, code: string | undefined): string {
  if (error === 'CredentialsSignin') return codeMessage(code);
  if (error === 'AccessDenied') return 'Single sign-on did not give access to GenOS (the account may need a verified email, or is disabled).';
  if (error === 'OAuthCallbackError' || error === 'CallbackRouteError' || error === 'OAuthSignInError') return 'Single sign-on failed; try again.';
  return 'Sign-in failed; try again.';
}
