import { env } from '@/env';
import { oidcConfig } from '@/server/auth/oidc-config';
import { signInWithOidc } from './actions';
import { errorMessage } from './messages';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string }> }) {
  const { error, code } = await searchParams;
  const oidc = oidcConfig(env());
  return (
    <div className="card" style={{ maxWidth: 420, margin: '4rem auto' }}>
      <h1>Sign in to GenOS</h1>
      <SignInForm initialError={error ? errorMessage(error, code) : null} />
      {oidc && (
        <form action={signInWithOidc} style={{ marginTop: '1rem', display: 'grid' }}>
          <button type="submit" className="secondary">Continue with {oidc.name}</button>
        </form>
      )}
    </div>
  );
}
