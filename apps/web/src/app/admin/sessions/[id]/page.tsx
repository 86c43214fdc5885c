import { ObserveView } from './observe-view';

export default async function ObservePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <h1>Observing (read-only)</h1>
      <p className="muted">Your keyboard and mouse do not reach this desktop; the owner keeps control.</p>
      <ObserveView id={id} />
    </>
  );
}
