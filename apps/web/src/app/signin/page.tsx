import { AuthError } from 'next-auth';
import { redirect } from 'next/navigation';
import { signIn } from '@/server/auth/auth';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <div className="card" style={{ maxWidth: 420, margin: '4rem auto' }}>
      <h1>Sign in to GenOS</h1>
      {error && <p className="error" role="alert">Wrong email or password.</p>}
      <form
        action={async (form: FormData) => {
          'use server';
          try {
            await signIn('credentials', { email: form.get('email'), password: form.get('password'), redirectTo: '/' });
          } catch (e) {
            // A successful sign-in throws Next's redirect, which must propagate.
            if (e instanceof AuthError) redirect('/signin?error=1');
            throw e;
          }
        }}
        style={{ display: 'grid', gap: '0.75rem' }}
      >
        <label>Email <input name="email" type="email" autoComplete="username" required /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" required /></label>
        <button type="submit">Sign in</button>
      </form>
    </div>
  );
}
