import { ShareView } from './share-view';

/** A share link: open to anyone holding it for view links; collaborate links ask for sign-in (checked server-side). */
export default async function SharePage({ params }: { params: Promise<{ secret: string }> }) {
  const { secret } = await params;
  return <ShareView secret={secret} />;
}
