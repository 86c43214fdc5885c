import { redirect } from 'next/navigation';
import { auth } from '@/server/auth/auth';
import { ChatComposer } from './chat-composer';

export default async function HomePage() {
  if (!(await auth())) redirect('/signin');
  return <ChatComposer />;
}
