import type { ReactNode } from 'react';
import Link from 'next/link';
import { auth, signOut } from '@/server/auth/auth';
import { Providers } from '@/trpc/react';
import './globals.css';

export const metadata = { title: 'GenOS', description: 'Describe a desktop, get a desktop.' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  return (
    <html lang="en">
      <body>
        <header className="top">
          <span className="brand">GenOS</span>
          <nav>
            {session && <Link href="/">New environment</Link>}
            {session && <Link href="/environments">My environments</Link>}
            {session && <Link href="/settings/security">Security</Link>}
            {session?.user.role === 'admin' && <Link href="/admin">Admin</Link>}
          </nav>
          {session && (
            <form
              action={async () => {
                'use server';
                await signOut({ redirectTo: '/signin' });
              }}
            >
              <span className="muted" style={{ marginRight: '0.75rem' }}>{session.user.email}</span>
              <button className="secondary" type="submit">Sign out</button>
            </form>
          )}
        </header>
        <Providers>
          <main>{children}</main>
        </Providers>
      </body>
    </html>
  );
}
